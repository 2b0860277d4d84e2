/// What a report covers: the period length and the local dates, `to` inclusive.
public struct ReportQuery: Sendable {
    /// The length of a period.
    public enum Period: String, Sendable, CaseIterable, Codable {
        case hour, day, month

        /// Slots of 30 minutes in a period (a month counted as 30 days, for choosing the source).
        var slots: Int64 {
            switch self {
            case .hour: 2
            case .day: 48
            case .month: 1440
            }
        }
    }

    public var by: Period
    /// First day (day number, see `LocalTime`), or nil for the beginning of the data.
    public var from: Int?
    /// Last day, inclusive, or nil for the end of the data.
    public var to: Int?
    /// The meter's maximum power in kW for the spike check (0: none).
    public var maxPower: Double

    public init(by: Period = .day, from: Int? = nil, to: Int? = nil, maxPower: Double = 0) {
        self.by = by
        self.from = from
        self.to = to
        self.maxPower = maxPower
    }

    /// The local seconds covered.
    var range: Range<Int64> {
        let lower = from.map { Int64($0) * 86_400 } ?? Int64.min / 4
        let upper = to.map { Int64($0 + 1) * 86_400 } ?? Int64.max / 4
        return lower..<max(lower, upper)
    }

    /// The label of the period holding `slot`: `YYYY-MM-DD HH:00`, `YYYY-MM-DD` or `YYYY-MM`.
    func label(slot: Int64) -> String {
        let day = Int(EnergySegment.floorDiv(slot, 48))
        switch by {
        case .hour:
            return LocalTime.dateText(day) + " " + LocalTime.pad(Int(slot - Int64(day) * 48) / 2, 2) + ":00"
        case .day:
            return LocalTime.dateText(day)
        case .month:
            let c = LocalTime.civil(day)
            return "\(LocalTime.pad(c.year, 4))-\(LocalTime.pad(c.month, 2))"
        }
    }
}

import PLCBlocks
