/// Where a value lives: an address computed at run time, with the constant frame or global offset
/// when there is one (so that the common loads and stores need no address arithmetic).
struct Place {
    let type: STType
    let addr: Code.Addr
    let frameOffset: Int?
    let globalOffset: Int?
    /// False for constants and for inputs of a FUNCTION seen from outside.
    let writable: Bool

    static func frame(_ offset: Int, _ type: STType, writable: Bool = true) -> Place {
        Place(type: type, addr: { $0.f + offset }, frameOffset: offset, globalOffset: nil, writable: writable)
    }

    static func global(_ offset: Int, _ type: STType, writable: Bool = true) -> Place {
        Place(type: type, addr: { $0.g + offset }, frameOffset: nil, globalOffset: offset, writable: writable)
    }

    /// A member at `offset` slots inside this place.
    func member(_ offset: Int, _ type: STType, writable: Bool? = nil) -> Place {
        let base = addr
        let w = writable ?? self.writable
        if let f = frameOffset { return .frame(f + offset, type, writable: w) }
        if let g = globalOffset { return .global(g + offset, type, writable: w) }
        return Place(type: type, addr: { base($0) + offset }, frameOffset: nil, globalOffset: nil, writable: w)
    }
}

/// A checked expression: its type, the code computing it, and its place when it is a variable.
struct Typed {
    enum Value {
        case int(Code.Int)
        case real(Code.Real)
        case str(Code.Str)
        /// Aggregates (arrays, structures, instances) have only a place; a failed check has nothing.
        case none
    }

    var type: STType
    var value: Value
    var place: Place?
    /// An untyped literal (`5`, `1.5`): converts implicitly to any type it fits.
    var literal = false
    /// The value when known at compile time (integer family).
    var constant: Int64?
    /// The frame slot when the value is a plain load of an integer-domain frame variable: operators
    /// read the slot themselves instead of calling a load closure (fused loads).
    var slot: Int?

    static var invalid: Typed { Typed(type: .void, value: .none) }

    var isInvalid: Bool { type == .void }
}
