/// Energy known to have flowed between two instants, assumed spread evenly over them.
public struct EnergySegment: Sendable, Equatable {
    /// Start, in milliseconds (scan time for a block, local wall-clock time for a report).
    public var from: Int64
    /// End, in the same clock; always after `from`.
    public var to: Int64
    /// Energy in kWh.
    public var kwh: Double

    public init(from: Int64, to: Int64, kwh: Double) {
        self.from = from
        self.to = to
        self.kwh = kwh
    }

    /// Splits the segment linearly over bins `[k * width, (k + 1) * width)`, calling `body(k, kWh)`
    /// for each bin it touches, in order. A gap across midnight thus splits between the two days.
    public func split(width: Int64, _ body: (Int64, Double) -> Void) {
        precondition(width > 0 && to > from)
        let total = Double(to - from)
        var start = from
        var bin = Self.floorDiv(from, width)
        while start < to {
            let end = min(to, (bin + 1) * width)
            body(bin, kwh * Double(end - start) / total)
            start = end
            bin += 1
        }
    }

    /// Division rounding towards minus infinity, so times before the epoch fall in the right bin.
    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
