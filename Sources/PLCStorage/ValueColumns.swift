public import PLCCore
import Foundation

/// The columns a logger or display shows: up to 16 values with their decimals and validity.
///
/// Stored as typed arrays so wiring one element (`alrValues[3]`) writes in place, without allocating.
public struct ValueColumns {
    public static let capacity = 16
    /// The three array pins, in pin order: values, decimals, validity.
    public static let decls: [VarDecl] = [
        .input("alrValues", .array(.lreal, count: capacity), nil, "the values, one per column"),
        .input("auiDecimals", .array(.usint, count: capacity), nil, "digits after the point, per column (the register's resolution)"),
        .input("axValid", .array(.bool, count: capacity), .array(Array(repeating: .bool(true), count: capacity)),
               "FALSE empties that column's cell"),
    ]

    public var values = [Double](repeating: 0, count: capacity)
    public var decimals = [UInt8](repeating: 0, count: capacity)
    public var valid = [Bool](repeating: true, count: capacity)

    public init() {}

    /// Array pin `which` (0 values, 1 decimals, 2 validity) as a value.
    func array(_ which: Int) -> IECValue {
        switch which {
        case 0: .array(values.map { .real($0) })
        case 1: .array(decimals.map { .int(Int64($0)) })
        default: .array(valid.map { .bool($0) })
        }
    }

    mutating func setArray(_ which: Int, _ value: IECValue) {
        guard case .array(let items) = value else { return }
        for (i, item) in items.enumerated() where i < Self.capacity { setElement(which, i, item) }
    }

    func element(_ which: Int, _ i: Int) -> IECValue {
        guard i >= 0 && i < Self.capacity else { return .int(0) }
        switch which {
        case 0: return .real(values[i])
        case 1: return .int(Int64(decimals[i]))
        default: return .bool(valid[i])
        }
    }

    mutating func setElement(_ which: Int, _ i: Int, _ value: IECValue) {
        guard i >= 0 && i < Self.capacity else { return }
        switch which {
        case 0: values[i] = value.real
        case 1: decimals[i] = UInt8(truncatingIfNeeded: value.int)
        default: valid[i] = value.bool
        }
    }

    /// Column `i` as text with its decimals (`229.7`, never `229.70000000000002`), or nil when not good.
    public func text(_ i: Int, sourceValid: Bool) -> String? {
        guard sourceValid, valid[i] else { return nil }
        return Self.format(values[i], decimals: Int(decimals[i]))
    }

    /// `value` with `decimals` digits (0 to 9), rounded half away from zero: |value| x 10^decimals
    /// in Double, rounded, written with the point inserted (`0.125` -> `0.13`, `2.5` -> `3`);
    /// never `-0`. Nil for NaN, infinity, or a scaled value of 1e18 or more. The ST twin
    /// (st-reference/F_FormatValue.st) follows the same rule; blocks/CSVLogger/cell_format.csv pins it.
    public static func format(_ value: Double, decimals: Int) -> String? {
        let digits = min(max(decimals, 0), 9)
        var scale = 1.0
        var unit: Int64 = 1
        for _ in 0..<digits {
            scale *= 10
            unit *= 10
        }
        let scaled = abs(value) * scale
        guard scaled < 1e18 else { return nil }
        let n = Int64(scaled.rounded(.toNearestOrAwayFromZero))
        var text = (value < 0 && n > 0 ? "-" : "") + String(n / unit)
        if digits > 0 {
            let fraction = String(n % unit)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return text
    }

    /// The names of a comma-separated list, trimmed, empty ones dropped, at most `capacity`.
    public static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .prefix(capacity).map { $0 }
    }
}
