/// One pin of a block instance (or one program variable): its declaration and the address of its value.
///
/// Compiling a program turns wires into copies between `address`es; monitoring, `--set` and traces
/// use `load` and `store`, which convert to and from `IECValue` outside the scan.
public struct PinRef: @unchecked Sendable {
    public let decl: VarDecl
    public let address: UnsafeMutableRawPointer

    public init(decl: VarDecl, address: UnsafeMutableRawPointer) {
        self.decl = decl
        self.address = address
    }

    public var kind: PinKind { decl.type.pinKind }

    /// The element type of an array pin, or the pin's type.
    public var elementType: IECType {
        if case .array(let element, _) = decl.type { return element }
        return decl.type
    }

    /// The address of element `index` of an array pin.
    public func elementAddress(_ index: Int) -> UnsafeMutableRawPointer {
        address + index * kind.size
    }

    /// The pin's value; an array pin gives `.array`.
    public func load() -> IECValue {
        guard case .array(let element, let count) = decl.type else { return kind.load(address, as: decl.type) }
        return .array((0..<count).map { kind.load(elementAddress($0), as: element) })
    }

    /// Writes `value`; for an array pin, the elements `value` has (extra ones are ignored).
    public func store(_ value: IECValue) {
        guard case .array(_, let count) = decl.type else { return kind.store(value, address) }
        guard case .array(let items) = value else { return }
        for (i, item) in items.prefix(count).enumerated() { kind.store(item, elementAddress(i)) }
    }

    /// Element `index` of an array pin (0 when out of range).
    public func loadElement(_ index: Int) -> IECValue {
        guard index >= 0, index < decl.type.valueCount else { return .int(0) }
        return kind.load(elementAddress(index), as: elementType)
    }

    /// Writes element `index` of an array pin (ignored when out of range).
    public func storeElement(_ index: Int, _ value: IECValue) {
        guard index >= 0, index < decl.type.valueCount else { return }
        kind.store(value, elementAddress(index))
    }
}

/// Memory for values declared by a variable table (a program's variables), laid out like pins.
public final class SlotStorage: @unchecked Sendable {
    /// One `PinRef` per declaration, in table order.
    public let slots: [PinRef]
    private let base: UnsafeMutableRawPointer
    private let strings: [UnsafeMutablePointer<String>]

    /// Allocates every declaration of `table` and sets it to its initial value.
    public init(_ table: VarTable) {
        var offsets: [Int] = []
        var size = 0
        for d in table.decls {
            let kind = d.type.pinKind
            size = (size + 7) & ~7
            offsets.append(size)
            size += kind.size * d.type.valueCount
        }
        let base = UnsafeMutableRawPointer.allocate(byteCount: max(size, 8), alignment: 16)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: max(size, 8))
        self.base = base
        var strings: [UnsafeMutablePointer<String>] = []
        slots = zip(table.decls, offsets).map { d, offset in
            let ref = PinRef(decl: d, address: base + offset)
            if d.type.pinKind == .string {
                for i in 0..<d.type.valueCount {
                    let p = ref.elementAddress(i).bindMemory(to: String.self, capacity: 1)
                    p.initialize(to: "")
                    strings.append(p)
                }
            }
            ref.store(d.initial)
            return ref
        }
        self.strings = strings
    }

    deinit {
        for p in strings { p.deinitialize(count: 1) }
        base.deallocate()
    }
}
