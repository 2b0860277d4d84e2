#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// An IEC 61131-3 data type, as it appears in a variable table.
public indirect enum IECType: Hashable, Sendable {
    case bool
    case byte, word, dword
    case sint, usint, int, uint, dint, udint, lint
    case real, lreal
    case time
    case string
    /// `ARRAY[0..count-1] OF element`: arrays are zero-based, as Modbus buffers are.
    case array(IECType, count: Int)
    /// A user enumeration such as `E_WordOrder`.
    case enumeration(IECEnumType)

    /// The type's IEC name, as written in a declaration.
    public var name: String {
        switch self {
        case .bool: "BOOL"
        case .byte: "BYTE"
        case .word: "WORD"
        case .dword: "DWORD"
        case .sint: "SINT"
        case .usint: "USINT"
        case .int: "INT"
        case .uint: "UINT"
        case .dint: "DINT"
        case .udint: "UDINT"
        case .lint: "LINT"
        case .real: "REAL"
        case .lreal: "LREAL"
        case .time: "TIME"
        case .string: "STRING"
        case .array(let element, let count): "ARRAY[0..\(count - 1)] OF \(element.name)"
        case .enumeration(let e): e.name
        }
    }

    /// The elementary types by name; arrays and enumerations are parsed by `parse(_:enums:)`.
    public static let elementary: [String: IECType] = {
        let all: [IECType] = [.bool, .byte, .word, .dword, .sint, .usint, .int, .uint, .dint, .udint,
                              .lint, .real, .lreal, .time, .string]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    }()

    /// The inclusive range of an integer, bit-string or enumeration type; nil for other types.
    public var integerRange: ClosedRange<Int64>? {
        switch self {
        case .byte, .usint: 0...0xFF
        case .word, .uint: 0...0xFFFF
        case .dword, .udint: 0...0xFFFF_FFFF
        case .sint: -128...127
        case .int: -32768...32767
        case .dint: Int64(Int32.min)...Int64(Int32.max)
        case .lint: Int64.min...Int64.max
        case .enumeration(let e): 0...Int64(max(e.cases.count - 1, 0))
        default: nil
        }
    }

    /// True for BYTE, WORD and DWORD, which print as `16#` hex.
    public var isBitString: Bool {
        switch self {
        case .byte, .word, .dword: true
        default: false
        }
    }

    /// True for REAL and LREAL.
    public var isReal: Bool { self == .real || self == .lreal }

    /// The value a variable of this type holds when no initial value is declared.
    public var defaultValue: IECValue {
        switch self {
        case .bool: .bool(false)
        case .real, .lreal: .real(0)
        case .time: .time(0)
        case .string: .string("")
        case .array(let element, let count): .array(Array(repeating: element.defaultValue, count: count))
        default: .int(0)
        }
    }

    /// Parses a type name such as `WORD`, `ARRAY[0..124] OF WORD` or an enumeration's name.
    public static func parse(_ text: String, enums: [String: IECEnumType] = [:]) throws(IECError) -> IECType {
        let trimmed = text.trimmingSpaces()
        let upper = trimmed.uppercased()
        if let type = elementary[upper] { return type }
        if upper.hasPrefix("STRING(") || upper.hasPrefix("STRING[") { return .string }
        if upper.hasPrefix("ARRAY") { return try parseArray(trimmed, enums: enums) }
        if let e = enums.first(where: { $0.key.uppercased() == upper })?.value { return .enumeration(e) }
        throw IECError("unknown type '\(trimmed)'")
    }

    private static func parseArray(_ text: String, enums: [String: IECEnumType]) throws(IECError) -> IECType {
        // ARRAY[lo..hi] OF T
        guard let open = text.firstIndex(of: "["), let close = text.firstIndex(of: "]"), open < close
        else { throw IECError("malformed array type '\(text)': expected ARRAY[0..N] OF TYPE") }
        let bounds = text[text.index(after: open)..<close].components(separatedBy: "..")
        let rest = text[text.index(after: close)...].trimmingSpaces()
        guard bounds.count == 2,
              let lo = Int(bounds[0].trimmingSpaces()),
              let hi = Int(bounds[1].trimmingSpaces()),
              rest.uppercased().hasPrefix("OF ")
        else { throw IECError("malformed array type '\(text)': expected ARRAY[0..N] OF TYPE") }
        guard lo == 0 else { throw IECError("array type '\(text)' must start at index 0") }
        guard hi >= lo, hi < 65536 else { throw IECError("array type '\(text)' has bad bounds") }
        let element = try parse(String(rest.dropFirst(3)), enums: enums)
        if case .array = element { throw IECError("nested arrays are not supported: '\(text)'") }
        return .array(element, count: hi - lo + 1)
    }
}

extension IECType: CustomStringConvertible {
    public var description: String { name }
}
