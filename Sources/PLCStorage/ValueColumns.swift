public import PLCCore
import Foundation

/// The columns a logger or display shows: up to 16 values with their decimals and validity.
///
/// A view of the block's three array pins (`alrValues`, `auiDecimals`, `axValid`), so wiring one
/// element (`alrValues[3]`) writes in place, without allocating.
public struct ValueColumns {
    public static let capacity = 16

    public let values: PinArray<Double>
    public let decimals: PinArray<UInt8>
    public let valid: PinArray<Bool>

    public init(values: PinArray<Double>, decimals: PinArray<UInt8>, valid: PinArray<Bool>) {
        self.values = values
        self.decimals = decimals
        self.valid = valid
    }

    /// Column `i` as text with its decimals (`229.7`, never `229.70000000000002`), or nil when not good.
    public func text(_ i: Int, sourceValid: Bool) -> String? {
        guard sourceValid, valid[i], values[i].isFinite else { return nil }
        return Self.format(values[i], decimals: Int(decimals[i]))
    }

    /// Column `i` is good: valid and finite.
    public func isGood(_ i: Int) -> Bool { valid[i] && values[i].isFinite }

    /// `value` rounded to `decimals` digits; never `-0.0`.
    public static func format(_ value: Double, decimals: Int) -> String {
        var text = String(format: "%.\(min(decimals, 9))f", value)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { text.removeFirst() }
        return text
    }

    /// The names of a comma-separated list, trimmed, at most `capacity`.
    public static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.prefix(capacity).map { $0 }
    }
}

/// A copy of every column's value and decimals, kept by a block across scans (the last good data).
struct ColumnSnapshot {
    var values = [Double](repeating: 0, count: ValueColumns.capacity)
    var decimals = [UInt8](repeating: 0, count: ValueColumns.capacity)
    var valid = [Bool](repeating: true, count: ValueColumns.capacity)

    /// Column `i` as text with its decimals, or nil when it was not good.
    func text(_ i: Int) -> String? {
        valid[i] && values[i].isFinite ? ValueColumns.format(values[i], decimals: Int(decimals[i])) : nil
    }

    /// Copies `columns` in place (no allocation once the arrays are unique).
    mutating func take(_ columns: ValueColumns) {
        for i in 0..<ValueColumns.capacity {
            values[i] = columns.values[i]
            decimals[i] = columns.decimals[i]
            valid[i] = columns.valid[i]
        }
    }
}
