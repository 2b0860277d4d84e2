import PLCBlocks
import PLCCore

/// What a report adds when asked: cost from a tariff, base load and after-hours use, and
/// unusual hours and days. Computed from the same half-hour slots as the kWh table.
public struct EnergyInsight: Sendable, Encodable {
    /// What to compute.
    public struct Options: Sendable {
        public var tariff: Tariff?
        /// Opening hours; the tariff's when nil.
        public var opening: [WeekHours]?
        /// Weeks of history for the anomaly baseline; nil: no anomaly check.
        public var anomalyWeeks: Int?

        public init(tariff: Tariff? = nil, opening: [WeekHours]? = nil, anomalyWeeks: Int? = nil) {
            self.tariff = tariff
            self.opening = opening
            self.anomalyWeeks = anomalyWeeks
        }

        /// Days read before the report's first day for the anomaly baseline.
        public var historyDays: Int { (anomalyWeeks ?? 0) * 7 }
    }

    /// kWh and cost of one tariff period at one location.
    public struct PeriodCost: Sendable, Encodable, Equatable {
        public var name: String
        public var kwh: Double
        public var cost: Double
        /// Share of the location's energy cost, in percent.
        public var share: Double
    }

    /// The demand charge of one month at one location.
    public struct MonthDemand: Sendable, Encodable, Equatable {
        public var month: String
        public var peakKW: Double
        public var at: String
        public var cost: Double
    }

    /// One location's cost.
    public struct Cost: Sendable, Encodable, Equatable {
        /// Energy cost (kWh x price) over the range.
        public var energy: Double
        public var periods: [PeriodCost]
        public var demand: [MonthDemand]
        /// Energy plus demand charges.
        public var total: Double
    }

    /// One location's figures.
    public struct Location: Sendable, Encodable {
        public var name: String
        public var kwh: Double
        public var cost: Cost?
        /// Base load (kW): the median over days of each day's 10th-percentile hourly average.
        public var baseLoadKW: Double?
        /// Each day's base load (kW), by date.
        public var dailyBaseLoad: [DayValue]
        /// kWh outside the opening hours and its share of `kwh` in percent; nil without opening hours.
        public var afterHoursKWh: Double?
        public var afterHoursShare: Double?
        /// The anomaly check's result.
        public var anomalies: AnomalyCheck?
    }

    /// The energy cost of one report row.
    public struct RowCost: Sendable, Encodable, Equatable {
        public var period: String
        public var location: String
        public var cost: Double
    }

    /// `rowCost` as rows: by period, then in the order of `locations`.
    public var rowCosts: [RowCost] {
        let order = Dictionary(locations.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        return rowCost.map { key, cost in
            let parts = key.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            return RowCost(period: String(parts[0]), location: parts.count > 1 ? String(parts[1]) : "", cost: cost)
        }.sorted { $0.period != $1.period ? $0.period < $1.period : (order[$0.location] ?? 0) < (order[$1.location] ?? 0) }
    }

    /// A value of one day.
    public struct DayValue: Sendable, Encodable, Equatable {
        public var date: String
        public var value: Double
    }

    public var tariff: String?
    public var currency: String?
    /// The demand charge's window in minutes (15 or 30); nil without a demand charge.
    public var demandWindowMinutes: Int?
    public var locations: [Location]
    /// Energy cost per report row, keyed `period|location`.
    public var rowCost: [String: Double] = [:]
    /// The same, as rows in period then location order (JSON's `rows`; filled by `rounded()`).
    public var costRows: [RowCost] = []
    /// Flag text per report row, keyed `period|location`.
    public var rowFlags: [String: String] = [:]

    private enum CodingKeys: String, CodingKey { case tariff, currency, demandWindowMinutes = "demand_window_minutes", locations, costRows = "rows" }

    /// Computes the insight of `energies` (which may hold history before the query's range).
    /// `windows` holds the same locations accumulated at the tariff's demand window when that is
    /// not a half hour (`EnergyReport.energies(site:query:window:)`); a location without one then
    /// has no demand charge.
    public init(_ energies: [LocationEnergy], windows: [LocationEnergy] = [], query: ReportQuery, options: Options) {
        tariff = options.tariff?.name
        currency = options.tariff?.currency
        demandWindowMinutes = options.tariff?.demand?.windowMinutes
        let lower = EnergySegment.floorDiv(query.range.lowerBound, LocationEnergy.slotSeconds)
        let upper = EnergySegment.floorDiv(query.range.upperBound, LocationEnergy.slotSeconds)
        let inRange = { (slot: Int64) in slot >= lower && slot < upper }
        let opening = options.opening ?? options.tariff?.opening
        locations = []
        for energy in energies {
            let slots = energy.slots(energy.source(binSlots: query.by.slots)).filter { inRange($0.key) }
            let kwh = slots.values.reduce(0, +)
            var location = Location(name: energy.name, kwh: kwh, cost: nil, baseLoadKW: nil, dailyBaseLoad: [],
                                    afterHoursKWh: nil, afterHoursShare: nil, anomalies: nil)
            if let tariff = options.tariff {
                let width = tariff.demandWindowSeconds
                let windowed = width == energy.width ? energy : windows.first { $0.name == energy.name && $0.width == width }
                location.cost = Self.cost(windowed, slots, tariff: tariff, range: query.range)
                for (slot, value) in slots {
                    rowCost[query.label(slot: slot) + "|" + energy.name, default: 0] += value * tariff.periods[tariff.periodIndex(slot: slot)].price
                }
            }
            let hours = HourlyEnergy(energy)
            let daily = hours.dailyBaseLoad()
            location.dailyBaseLoad = daily.filter { inRange(Int64($0.key) * 48) }.sorted { $0.key < $1.key }
                .map { DayValue(date: LocalTime.dateText($0.key), value: $0.value) }
            location.baseLoadKW = Robust.median(location.dailyBaseLoad.map(\.value))
            if let opening {
                let after = slots.filter { slot in !opening.contains { $0.contains(WeekHours.Moment(slot: slot.key)) } }
                let afterKWh = after.values.reduce(0, +)
                location.afterHoursKWh = afterKWh
                location.afterHoursShare = kwh > 0 ? afterKWh / kwh * 100 : 0
            }
            if let weeks = options.anomalyWeeks {
                let check = AnomalyCheck(hours, daily: daily, weeks: weeks, slots: lower..<upper)
                for flag in check.flags {
                    let key = query.label(slot: flag.slot) + "|" + energy.name
                    rowFlags[key] = rowFlags[key].map { $0 + "; " + flag.short } ?? flag.short
                }
                location.anomalies = check
            }
            locations.append(location)
        }
    }

    /// Energy cost per tariff period and the month's demand charges.
    /// `windowed` is the location at the demand window's width; `range` the report's local seconds.
    static func cost(_ windowed: LocationEnergy?, _ slots: [Int64: Double], tariff: Tariff, range: Range<Int64>) -> Cost {
        var kwh = [Double](repeating: 0, count: tariff.periods.count)
        for (slot, value) in slots { kwh[tariff.periodIndex(slot: slot)] += value }
        let costs = zip(kwh, tariff.periods).map { $0 * $1.price }
        let energyCost = costs.reduce(0, +)
        let periods = tariff.periods.indices.map { i in
            PeriodCost(name: tariff.periods[i].name, kwh: kwh[i], cost: costs[i], share: energyCost > 0 ? costs[i] / energyCost * 100 : 0)
        }
        var demand: [MonthDemand] = []
        if let charge = tariff.demand, let windowed {
            // The windows the peak-demand table would use at this width: no estimates, no repeated hour.
            let lower = EnergySegment.floorDiv(range.lowerBound, windowed.width)
            let upper = EnergySegment.floorDiv(range.upperBound, windowed.width)
            let perHour = 3600 / Double(windowed.width)
            demand = DemandWindow.monthlyPeaks(windowed) { $0 >= lower && $0 < upper }.sorted { $0.key < $1.key }.map { month, peak in
                MonthDemand(month: month, peakKW: peak.kwh * perHour, at: DemandWindow.label(peak.slot, width: windowed.width),
                            cost: peak.kwh * perHour * charge.pricePerKW)
            }
        }
        return Cost(energy: energyCost, periods: periods, demand: demand, total: energyCost + demand.reduce(0) { $0 + $1.cost })
    }
}

extension EnergyInsight {
    /// kWh, kW and money to three decimals, shares to one, for JSON.
    func rounded() -> EnergyInsight {
        let r3 = { (x: Double) in (x * 1000).rounded() / 1000 }, r1 = { (x: Double) in (x * 10).rounded() / 10 }
        var copy = self
        copy.costRows = rowCosts.map { RowCost(period: $0.period, location: $0.location, cost: r3($0.cost)) }
        copy.locations = locations.map { l in
            var l = l
            l.kwh = r3(l.kwh)
            l.baseLoadKW = l.baseLoadKW.map(r3)
            l.dailyBaseLoad = l.dailyBaseLoad.map { DayValue(date: $0.date, value: r3($0.value)) }
            l.afterHoursKWh = l.afterHoursKWh.map(r3)
            l.afterHoursShare = l.afterHoursShare.map(r1)
            l.cost = l.cost.map { c in
                Cost(energy: r3(c.energy),
                     periods: c.periods.map { PeriodCost(name: $0.name, kwh: r3($0.kwh), cost: r3($0.cost), share: r1($0.share)) },
                     demand: c.demand.map { MonthDemand(month: $0.month, peakKW: r3($0.peakKW), at: $0.at, cost: r3($0.cost)) },
                     total: r3(c.total))
            }
            if var check = l.anomalies {
                check.flags = check.flags.map { f in
                    var f = f
                    f.value = r3(f.value)
                    f.median = r3(f.median)
                    f.mads = r1(f.mads)
                    return f
                }
                l.anomalies = check
            }
            return l
        }
        return copy
    }
}

/// Robust statistics on small samples.
public enum Robust {
    /// The median (the mean of the middle two for an even count); nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The median absolute deviation from the median.
    public static func mad(_ values: [Double], median m: Double) -> Double {
        median(values.map { abs($0 - m) }) ?? 0
    }

    /// The nearest-rank percentile `p` (0-100) of a non-empty sample.
    public static func percentile(_ values: [Double], _ p: Double) -> Double {
        let s = values.sorted()
        let rank = max(1, Int((p / 100 * Double(s.count)).rounded(.up)))
        return s[min(rank, s.count) - 1]
    }
}

/// A location's kWh per whole local hour, only hours whose two half hours are measured (not
/// spread over a gap, not the repeated hour of a clock step).
struct HourlyEnergy {
    /// kWh by hour number (local seconds / 3600).
    var hours: [Int64: Double] = [:]

    init(_ energy: LocationEnergy) {
        var halves: [Int64: (count: Int, kwh: Double)] = [:]
        for (slot, kwh) in energy.slots(energy.source(binSlots: 2)) {
            guard !energy.estimated.contains(slot), !energy.repeated.contains(slot) else { continue }
            let hour = EnergySegment.floorDiv(slot, 2)
            halves[hour, default: (0, 0)].count += 1
            halves[hour, default: (0, 0)].kwh += kwh
        }
        for (hour, half) in halves where half.count == 2 { hours[hour] = half.kwh }
    }

    /// Each day's base load (kW): the 10th percentile (nearest rank) of its complete hours' average
    /// power, so that one or two bad hours do not set it; days with fewer than 12 complete hours have none.
    func dailyBaseLoad() -> [Int: Double] {
        var byDay: [Int: [Double]] = [:]
        for (hour, kwh) in hours { byDay[Int(EnergySegment.floorDiv(hour, 24)), default: []].append(kwh) }
        var result: [Int: Double] = [:]
        for (day, values) in byDay where values.count >= 12 { result[day] = Robust.percentile(values, 10) }
        return result
    }

    /// `YYYY-MM-DD HH:MM` of a half-hour slot.
    static func label(_ slot: Int64) -> String { DemandWindow.label(slot, width: LocationEnergy.slotSeconds) }
}
