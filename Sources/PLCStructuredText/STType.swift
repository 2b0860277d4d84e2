/// A resolved ST data type, as the checker and the engine see it.
///
/// Every variable occupies slots of 64 bits: one for an elementary value (integers normalised to their
/// width, REAL as its 32-bit pattern, LREAL as its 64-bit pattern, TIME as unsigned 32-bit ms, LTIME
/// in ns, STRING as an index into the string table, pointers as addresses), and consecutive slots for
/// arrays, structures and function block instances.
indirect enum STType: Equatable, Sendable, CustomStringConvertible {
    case bool
    case sint, int, dint, lint, usint, uint, udint, ulint
    case byte, word, dword, lword
    case real, lreal
    case time, ltime, date, tod, dt
    case string(Int)
    case array(STType, low: Int, high: Int)
    case enumeration(EnumInfo)
    case structure(StructInfo)
    case instance(POUInfo)
    case pointer(STType)
    case reference(STType)
    /// The type of an expression with no value (a call of a FUNCTION without a result, a failed check).
    case void

    static let elementary: [String: STType] = [
        "BOOL": .bool, "SINT": .sint, "INT": .int, "DINT": .dint, "LINT": .lint, "USINT": .usint, "UINT": .uint,
        "UDINT": .udint, "ULINT": .ulint, "BYTE": .byte, "WORD": .word, "DWORD": .dword, "LWORD": .lword,
        "REAL": .real, "LREAL": .lreal, "TIME": .time, "LTIME": .ltime, "DATE": .date, "TOD": .tod,
        "TIME_OF_DAY": .tod, "DT": .dt, "DATE_AND_TIME": .dt, "STRING": .string(80),
    ]

    var description: String {
        switch self {
        case .bool: "BOOL"
        case .sint: "SINT"
        case .int: "INT"
        case .dint: "DINT"
        case .lint: "LINT"
        case .usint: "USINT"
        case .uint: "UINT"
        case .udint: "UDINT"
        case .ulint: "ULINT"
        case .byte: "BYTE"
        case .word: "WORD"
        case .dword: "DWORD"
        case .lword: "LWORD"
        case .real: "REAL"
        case .lreal: "LREAL"
        case .time: "TIME"
        case .ltime: "LTIME"
        case .date: "DATE"
        case .tod: "TOD"
        case .dt: "DT"
        case .string(let n): n == 80 ? "STRING" : "STRING(\(n))"
        case .array(let e, let lo, let hi): "ARRAY[\(lo)..\(hi)] OF \(e)"
        case .enumeration(let e): e.name
        case .structure(let s): s.name
        case .instance(let p): p.name
        case .pointer(let t): "POINTER TO \(t)"
        case .reference(let t): "REFERENCE TO \(t)"
        case .void: "VOID"
        }
    }

    static func == (a: STType, b: STType) -> Bool {
        switch (a, b) {
        case (.string, .string): true
        case (.array(let x, let l1, let h1), .array(let y, let l2, let h2)): x == y && l1 == l2 && h1 == h2
        case (.enumeration(let x), .enumeration(let y)): x === y
        case (.structure(let x), .structure(let y)): x === y
        case (.instance(let x), .instance(let y)): x === y
        case (.pointer(let x), .pointer(let y)), (.reference(let x), .reference(let y)): x == y
        default: a.description == b.description
        }
    }

    /// Slots taken by a value of this type.
    var size: Int {
        switch self {
        case .array(let e, let lo, let hi): e.size * (hi - lo + 1)
        case .structure(let s): s.size
        case .instance(let p): p.size
        default: 1
        }
    }

    /// Bit width and signedness of integer-like types (BOOL, integers, bit strings, times, enums).
    var integerFormat: (bits: Int, signed: Bool)? {
        switch self {
        case .bool: (1, false)
        case .sint: (8, true)
        case .int: (16, true)
        case .dint: (32, true)
        case .lint, .ltime: (64, true)
        case .usint, .byte: (8, false)
        case .uint, .word: (16, false)
        case .udint, .dword, .time, .tod, .date, .dt: (32, false)
        case .ulint, .lword: (64, false)
        case .enumeration(let e): e.base.integerFormat
        default: nil
        }
    }

    var isInteger: Bool {
        switch self {
        case .sint, .int, .dint, .lint, .usint, .uint, .udint, .ulint: true
        default: false
        }
    }

    var isBitString: Bool {
        switch self {
        case .byte, .word, .dword, .lword: true
        default: false
        }
    }

    /// Integers, bit strings and enumerations: the ANY_INT/ANY_BIT family that converts implicitly.
    var isIntegral: Bool {
        if case .enumeration = self { return true }
        return isInteger || isBitString
    }

    var isReal: Bool { self == .real || self == .lreal }
    var isNumeric: Bool { isIntegral || isReal }
    var isTime: Bool { self == .time || self == .ltime }
    var isDateTime: Bool { self == .date || self == .tod || self == .dt }
    var isString: Bool { if case .string = self { true } else { false } }

    var isPointerLike: Bool {
        switch self {
        case .pointer, .reference: true
        default: false
        }
    }

    /// Values kept as Int64 in an expression (everything elementary but REAL, LREAL and STRING).
    var isIntDomain: Bool {
        integerFormat != nil || isPointerLike
    }

    /// True for values that take more than one slot or are instances: copied slot by slot.
    var isAggregate: Bool {
        switch self {
        case .array, .structure, .instance: true
        default: false
        }
    }

    /// Normalises a 64-bit value to this type's width and signedness (two's-complement wrap).
    func normalise(_ v: Int64) -> Int64 {
        guard let (bits, signed) = integerFormat, bits < 64 else { return v }
        if bits == 1 { return v & 1 }
        let shift = Int64(64 - bits)
        return signed ? (v << shift) >> shift : v & ((1 << Int64(bits)) - 1)
    }

    /// The relative offsets of every STRING slot inside a value of this type.
    func stringSlots() -> [Int] {
        switch self {
        case .string: return [0]
        case .array(let e, let lo, let hi):
            let inner = e.stringSlots()
            guard !inner.isEmpty else { return [] }
            return (0...(hi - lo)).flatMap { i in inner.map { $0 + i * e.size } }
        case .structure(let s): return s.fields.flatMap { f in f.type.stringSlots().map { $0 + f.offset } }
        case .instance(let p): return p.vars.flatMap { v in v.type.stringSlots().map { $0 + v.offset } }
        default: return []
        }
    }

    /// The rank used to pick the result type of mixed arithmetic (wider wins; reals above integers).
    var rank: Int {
        switch self {
        case .bool: 0
        case .sint, .usint, .byte: 1
        case .int, .uint, .word: 2
        case .dint, .udint, .dword, .enumeration: 3
        case .lint, .ulint, .lword: 4
        case .real: 5
        case .lreal: 6
        default: 0
        }
    }
}

/// An enumeration type: its values by name and the integer type underneath (INT by default).
final class EnumInfo: @unchecked Sendable {
    let name: String
    var cases: [(name: String, value: Int64)] = []
    var base: STType = .int
    /// Declared `{attribute 'strict'}`: only its own values may be assigned to it.
    var strict = false

    init(name: String) { self.name = name }

    func value(of caseName: String) -> Int64? {
        let upper = caseName.uppercased()
        return cases.first { $0.name.uppercased() == upper }?.value
    }
}

/// A variable of a POU, a structure field or a global: name, type, slot offset and initial value.
final class VarInfo: @unchecked Sendable {
    let name: String
    let section: AST.Section
    var type: STType = .void
    var offset = 0
    let ast: AST.Var?
    let constant: Bool

    init(name: String, section: AST.Section, ast: AST.Var?, constant: Bool = false) {
        self.name = name
        self.section = section
        self.ast = ast
        self.constant = constant
    }
}

/// A structure type and the offsets of its fields.
final class StructInfo: @unchecked Sendable {
    let name: String
    var fields: [VarInfo] = []
    var size = 0

    init(name: String) { self.name = name }

    func field(_ name: String) -> VarInfo? {
        let upper = name.uppercased()
        return fields.first { $0.name.uppercased() == upper }
    }
}

/// A PROGRAM, FUNCTION_BLOCK or FUNCTION: its variables (a FUNCTION's result first), layout and code.
final class POUInfo: @unchecked Sendable {
    let name: String
    let kind: AST.POU.Kind
    let ast: AST.POU?
    var vars: [VarInfo] = []
    var size = 0
    var returnType: STType = .void
    /// For a FUNCTION: its frame's offset in the global area (no recursion in IEC: one frame each).
    var frameOffset = 0
    /// The compiled body; set by the compiler.
    var body: Code.Stmt = { _ in }
    /// Resets VAR and VAR_TEMP (and, for a FUNCTION, everything) to their initial values.
    var initialise: Code.Stmt = { _ in }
    /// The function block this one extends; its variables come first, at the same offsets.
    var base: POUInfo?
    /// A library stand-in whose behaviour is written in Swift, not ST.
    var native: NativeStep?
    /// True while its declarations are being laid out (to catch an instance that contains itself).
    var layingOut = false
    var laidOut = false
    var compiling = false
    var compiled = false

    init(name: String, kind: AST.POU.Kind, ast: AST.POU?) {
        self.name = name
        self.kind = kind
        self.ast = ast
    }

    func variable(_ name: String) -> VarInfo? {
        let upper = name.uppercased()
        return vars.first { $0.name.uppercased() == upper }
    }

    /// The closure a call runs: the native body of a stand-in, else the compiled body.
    var runnable: Code.Stmt {
        if let native { return native.run }
        return body
    }

    /// True when this is `other` or extends it.
    func isA(_ other: POUInfo) -> Bool {
        var p: POUInfo? = self
        while let q = p {
            if q === other { return true }
            p = q.base
        }
        return false
    }
}

/// A Swift implementation of a block's algorithm, called with the instance's frame as `env.f`.
typealias NativeBody = @Sendable (Env) -> Void

/// A native body kept in a dictionary or optional (see `Step`).
struct NativeStep: Sendable {
    let run: NativeBody
}
