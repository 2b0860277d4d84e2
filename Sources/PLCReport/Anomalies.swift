import PLCCore

/// Unusual hours and days of one location, against its own recent weeks: for each hour, the
/// same hour of the week in each of the last N weeks; for each day, the daily base loads of
/// the last N weeks. Median and median absolute deviation (MAD), no model to train.
public struct AnomalyCheck: Sendable, Encodable {
    /// One unusual hour or day.
    public struct Flag: Sendable, Encodable, Equatable {
        /// `hour`: an hour's kWh outside the band; `baseload`: a day's base load above it.
        public var kind: String
        /// `YYYY-MM-DD HH:00` or `YYYY-MM-DD`.
        public var at: String
        /// What was measured and the baseline's median: kWh for an hour, kW for a base load.
        public var value: Double
        public var median: Double
        /// How far out, in MADs (signed).
        public var mads: Double
        /// The first half-hour slot of the hour or day.
        public internal(set) var slot: Int64

        private enum CodingKeys: String, CodingKey { case kind, at, value, median, mads }

        /// `+3.1 kWh (7.2 MAD)` or `base +1.2 kW (6.0 MAD)`.
        public var short: String {
            let delta = value - median
            let unit = kind == "hour" ? "kWh" : "kW"
            return (kind == "hour" ? "" : "base ") + String(printf: "%+.2f ", delta) + unit + String(printf: " (%+.1f MAD)", mads)
        }
    }

    /// A value outside median +/- `threshold` MADs is flagged.
    public static let threshold = 5.0
    /// Past values needed for a baseline: three of the weeks (hours) or 21 days (base load).
    public static let minimumWeeks = 3

    /// Hours and days looked at, and those without enough history.
    public var hoursChecked = 0, hoursWithoutHistory = 0
    public var daysChecked = 0, daysWithoutHistory = 0
    public var flags: [Flag] = []

    /// `ok`, `flagged`, or `not enough data` when nothing in the range had enough history.
    public var status: String {
        if hoursChecked == 0 && daysChecked == 0 { return "not enough data" }
        return flags.isEmpty ? "ok" : "flagged"
    }

    private enum CodingKeys: String, CodingKey { case status, hoursChecked, hoursWithoutHistory, daysChecked, daysWithoutHistory, flags }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(hoursChecked, forKey: .hoursChecked)
        try c.encode(hoursWithoutHistory, forKey: .hoursWithoutHistory)
        try c.encode(daysChecked, forKey: .daysChecked)
        try c.encode(daysWithoutHistory, forKey: .daysWithoutHistory)
        try c.encode(flags, forKey: .flags)
    }

    /// The scale of a baseline: its MAD, but at least 2 % of its median and 0.01, so that a
    /// perfectly steady history does not make every small wobble an anomaly.
    static func scale(_ values: [Double], median m: Double) -> Double {
        max(Robust.mad(values, median: m), 0.02 * abs(m), 0.01)
    }

    /// Checks the hours and days whose first half hour is in `slots`.
    init(_ hourly: HourlyEnergy, daily: [Int: Double], weeks: Int, slots: Range<Int64>) {
        let weekHours = Int64(7 * 24)
        for (hour, kwh) in hourly.hours.sorted(by: { $0.key < $1.key }) where slots.contains(hour * 2) {
            let past = (1...max(weeks, 1)).compactMap { hourly.hours[hour - Int64($0) * weekHours] }
            guard past.count >= Self.minimumWeeks, let m = Robust.median(past) else {
                hoursWithoutHistory += 1
                continue
            }
            hoursChecked += 1
            let mads = (kwh - m) / Self.scale(past, median: m)
            if abs(mads) > Self.threshold {
                flags.append(Flag(kind: "hour", at: HourlyEnergy.label(hour * 2), value: kwh, median: m, mads: mads, slot: hour * 2))
            }
        }
        for (day, kw) in daily.sorted(by: { $0.key < $1.key }) where slots.contains(Int64(day) * 48) {
            let past = (1...max(weeks * 7, 1)).compactMap { daily[day - $0] }
            guard past.count >= Self.minimumWeeks * 7, let m = Robust.median(past) else {
                daysWithoutHistory += 1
                continue
            }
            daysChecked += 1
            let mads = (kw - m) / Self.scale(past, median: m)
            if mads > Self.threshold {
                flags.append(Flag(kind: "baseload", at: LocalTime.dateText(day), value: kw, median: m, mads: mads, slot: Int64(day) * 48))
            }
        }
        flags.sort { $0.slot != $1.slot ? $0.slot < $1.slot : $0.kind < $1.kind }
    }
}
