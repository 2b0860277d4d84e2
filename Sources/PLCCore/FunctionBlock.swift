/// A stateful IEC function block: typed pins declared by a variable table, called once per scan.
///
/// A block does no I/O and reads no clock: the scan's time comes through `ScanContext`, and a
/// steady-state `execute` allocates nothing. Pins are addressed by their index in `interface`,
/// so monitoring and wiring need no look-up by name while the scan runs.
///
/// A block instance belongs to the one thread that runs its task, and no pin is ever passed
/// `inout`, so accesses to a block's state cannot overlap. Blocks therefore mark their stored
/// properties `@exclusivity(unchecked)`: the dynamic checks would otherwise take half of a scan
/// (measured with `plc bench` and perf).
public protocol FunctionBlock: AnyObject, SendableMetatype {
    /// The block's variable table; pin numbers are indices into it.
    static var interface: VarTable { get }
    /// A block with every variable at its declared initial value.
    init()
    /// Runs the block's algorithm once, for the scan described by `context`.
    func execute(_ context: ScanContext)
    /// Reads or writes pin `pin` (an index into `interface.decls`). Written values fit the pin's type.
    subscript(pin pin: Int) -> IECValue { get set }
    /// Reads element `index` of array pin `pin`.
    func element(_ pin: Int, _ index: Int) -> IECValue
    /// Writes element `index` of array pin `pin`.
    func setElement(_ pin: Int, _ index: Int, _ value: IECValue)
}

extension FunctionBlock {
    /// The block type name, as used in program files, `blocks/` and ST.
    public static var typeName: String { interface.name }

    public func element(_ pin: Int, _ index: Int) -> IECValue {
        self[pin: pin].element(index) ?? .int(0)
    }

    public func setElement(_ pin: Int, _ index: Int, _ value: IECValue) {
        guard case .array(var items) = self[pin: pin], items.indices.contains(index) else { return }
        items[index] = value
        self[pin: pin] = .array(items)
    }

    /// Reads a pin by name; nil when the block has no such pin.
    public func value(of name: String) -> IECValue? {
        Self.interface.index(of: name).map { self[pin: $0] }
    }

    /// Writes a pin by name after checking the value fits its type.
    public func setValue(_ value: IECValue, of name: String) throws(IECError) {
        guard let pin = Self.interface.index(of: name) else {
            throw IECError("\(Self.typeName) has no variable '\(name)'")
        }
        let decl = Self.interface.decls[pin]
        guard value.fits(decl.type) else {
            throw IECError("value does not fit \(decl.name) : \(decl.type.name)")
        }
        self[pin: pin] = value
    }
}
