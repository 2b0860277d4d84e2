public import PLCCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

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
        guard sourceValid, valid[i] else { return nil }
        return Self.format(values[i], decimals: Int(decimals[i]))
    }

    /// Column `i` is good: valid and writable (finite, under 1e18).
    public func isGood(_ i: Int) -> Bool { valid[i] && Self.format(values[i], decimals: 0) != nil }

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
        list.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            .prefix(capacity).map { $0 }
    }
}

/// A copy of every column's value and decimals, kept by a block across scans (the last good data).
struct ColumnSnapshot {
    var values = [Double](repeating: 0, count: ValueColumns.capacity)
    var decimals = [UInt8](repeating: 0, count: ValueColumns.capacity)
    var valid = [Bool](repeating: true, count: ValueColumns.capacity)

    /// Column `i` as text with its decimals, or nil when it was not good.
    func text(_ i: Int) -> String? {
        valid[i] ? ValueColumns.format(values[i], decimals: Int(decimals[i])) : nil
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
