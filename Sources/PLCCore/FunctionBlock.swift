import Synchronization

/// A stateful IEC function block: typed pins declared once, called once per scan.
///
/// A block declares its pins where it implements them, as property wrappers (`@Input`, `@Output`,
/// `@ArrayPin`): their names, order, IEC types, initial values and comments make its variable
/// table (`interface`), so nothing is written twice and no pin number is written by hand. Each
/// pin's value lives at a fixed address (`pins`), which a compiled program copies between.
///
/// A block does no I/O and reads no clock: the scan's time comes through `ScanContext`, and a
/// steady-state `execute` allocates nothing. A block instance belongs to the one thread that runs
/// its task.
public protocol FunctionBlock: AnyObject, SendableMetatype {
    /// The block's variable table; pin numbers are indices into it. Derived from the pin wrappers.
    static var interface: VarTable { get }
    /// One paragraph on what the block does.
    static var summary: String { get }
    /// How the block exists in Codesys Structured Text.
    static var stMapping: STMapping { get }
    /// A block with every variable at its declared initial value.
    init()
    /// Runs the block's algorithm once, for the scan described by `context`.
    func execute(_ context: ScanContext)
    /// Every pin with the address of its value, in `interface` order; empty for a block without pin wrappers.
    var pins: [PinRef] { get }
    /// Reads or writes pin `pin` (an index into `interface.decls`), converting through `IECValue`.
    subscript(pin pin: Int) -> IECValue { get set }
    /// Reads element `index` of array pin `pin`.
    func element(_ pin: Int, _ index: Int) -> IECValue
    /// Writes element `index` of array pin `pin`.
    func setElement(_ pin: Int, _ index: Int, _ value: IECValue)
    /// Runs `execute` on the block at `object` (an unretained instance of this type) without retaining
    /// it: how a compiled scan calls its blocks.
    static func execute(unretained object: UnsafeMutableRawPointer, _ context: ScanContext)
}

/// How a block type exists on a Codesys controller.
public enum STMapping: Sendable, Hashable {
    /// A FUNCTION_BLOCK of the same name under `st-reference/`, written for this project.
    case twin
    /// Codesys's own function block of the same name, from this library (e.g. `Standard`).
    case library(String)
    /// An ST operator (`AND`, `OR`): FBD shows it as a box, ST writes it infix.
    case `operator`(String)
    /// A FUNCTION of this library (`CONCAT` in Standard): FBD shows a box without an instance, ST
    /// calls it in an expression with the inputs in declared order.
    case function(String)
}

extension STMapping {
    /// False for operators and functions: nothing to declare, the box is an expression.
    public var hasInstance: Bool {
        switch self {
        case .twin, .library: true
        case .operator, .function: false
        }
    }
}

extension FunctionBlock {
    /// The block type name, as used in program files, `blocks/` and ST.
    public static var typeName: String { interface.name }

    public static var summary: String { "" }

    public static var stMapping: STMapping { .twin }

    @inline(__always)
    public static func execute(unretained object: UnsafeMutableRawPointer, _ context: ScanContext) {
        Unmanaged<Self>.fromOpaque(object)._withUnsafeGuaranteedRef { $0.execute(context) }
    }

    public static var interface: VarTable {
        do {
            return try BlockInterfaces.interface(of: Self.self)
        } catch {
            // A block whose declaration contradicts its storage is a programming error that the
            // registry's validation and the tests report first; it never comes from user input.
            fatalError(error.message)
        }
    }

    public var pins: [PinRef] {
        let declared = Self.interface.decls
        let reflected = BlockInterfaces.reflect(self)
        guard reflected.count == declared.count else { return [] }
        return zip(declared, reflected).map { PinRef(decl: $0, address: $1.declaration.address) }
    }

    public subscript(pin pin: Int) -> IECValue {
        get { pins[pin].load() }
        set { pins[pin].store(newValue) }
    }

    public func element(_ pin: Int, _ index: Int) -> IECValue {
        let pins = pins
        guard pins.isEmpty else { return pins[pin].loadElement(index) }
        return self[pin: pin].element(index) ?? .int(0)   // a block that declares its table by hand
    }

    public func setElement(_ pin: Int, _ index: Int, _ value: IECValue) {
        let pins = pins
        guard pins.isEmpty else { return pins[pin].storeElement(index, value) }
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

/// Derives and caches each block type's variable table from its pin wrappers.
public enum BlockInterfaces {
    /// A pin wrapper found on an instance, with its property's name.
    public struct Reflected {
        public let name: String
        public let declaration: PinDeclaration
    }

    private static let cache = Mutex<[ObjectIdentifier: VarTable]>([:])

    /// The pin wrappers of `block`, in declaration order (superclass first).
    public static func reflect(_ block: AnyObject) -> [Reflected] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: block)
        while let m = mirror {
            mirrors.insert(m, at: 0)
            mirror = m.superclassMirror
        }
        var result: [Reflected] = []
        for m in mirrors {
            for child in m.children {
                guard let wrapper = child.value as? any PinWrapper, let label = child.label else { continue }
                result.append(Reflected(name: label.hasPrefix("_") ? String(label.dropFirst()) : label,
                                        declaration: wrapper.pinDeclaration))
            }
        }
        return result
    }

    /// The variable table of `type`, derived from a fresh instance the first time; throws when a pin's
    /// declared IEC type does not match the Swift type that stores it.
    public static func interface<B: FunctionBlock>(of type: B.Type) throws(IECError) -> VarTable {
        if let table = cache.withLock({ $0[ObjectIdentifier(type)] }) { return table }
        let table = try derive(type)
        cache.withLock { $0[ObjectIdentifier(type)] = table }
        return table
    }

    /// Derives the table without caching; the registry's validation calls it to report mistakes.
    public static func derive<B: FunctionBlock>(_ type: B.Type) throws(IECError) -> VarTable {
        let name = String(describing: type)
        let prototype = B()
        var decls: [VarDecl] = []
        var seen: Set<String> = []
        for pin in reflect(prototype) {
            let d = pin.declaration
            var type = d.type ?? d.defaultType
            if let count = d.count {
                if case .array(_, let n) = type {
                    guard n == count else { throw IECError("\(name).\(pin.name): declared \(type.name) but has \(count) elements") }
                } else {
                    type = .array(type, count: count)
                }
            }
            guard type.pinKind == d.kind else {
                throw IECError("\(name).\(pin.name): declared \(type.name) but stored as \(d.kind.swiftName)"
                               + " (\(type.name) needs \(type.pinKind.swiftName))")
            }
            guard seen.insert(pin.name.uppercased()).inserted else {
                throw IECError("\(name).\(pin.name): declared twice")
            }
            let initial = PinRef(decl: VarDecl(d.scope, pin.name, type), address: d.address).load()
            decls.append(VarDecl(d.scope, pin.name, type, initial: initial, comment: d.comment, required: d.required))
        }
        return VarTable(name, summary: type.summary, decls)
    }
}
