#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import Glibc
import PLCReport

/// kWh per day for one location, from the cumulative energy column of its CSV files.
public struct EnergyTotals: Sendable, Equatable {
    public var location: String
    /// kWh consumed today (local time); nil when today has no good reading.
    public var today: Double?
    /// kWh consumed this month so far.
    public var month: Double?
    /// kWh per day of this month, `YYYY-MM-DD` ascending.
    public var days: [Day]

    /// One day's kWh.
    public struct Day: Sendable, Equatable {
        public var date: String
        public var kwh: Double

        public init(date: String, kwh: Double) {
            self.date = date
            self.kwh = kwh
        }
    }
}

/// Reads this month's kWh per day from CSV folders (`<folder>/<prefix>_YYYY-MM-DD.csv`, or one
/// sub-folder per location) with `plc report --by day`'s code (`PLCReport.EnergyReport`): the
/// counter's delta between good readings is spread linearly over the time between them (an
/// interval across midnight is shared by both days), a reset or meter swap restarts counting,
/// and power readings replace a counter too coarse for a day. See docs/report.md.
public struct EnergyReader: Sendable {
    public init() {}

    /// The totals of each source for the month of `now`'s day in `timeZone` (nil: local time, from the C library).
    public func totals(_ sources: [EnergySource], now: Date = Date(), timeZone: TimeZone? = nil) -> [EnergyTotals] {
        let today = Self.day(now, timeZone)
        let civil = LocalTime.civil(today)
        let query = ReportQuery(by: .day, from: LocalTime.days(year: civil.year, month: civil.month, day: 1), to: today)
        let todayText = LocalTime.dateText(today)
        var result: [EnergyTotals] = []
        for source in sources {
            // A folder without day files yet, or one that does not parse: the location shows no figures.
            guard let site = try? SiteFolder(source.folder), let report = try? EnergyReport(site: site, query: query) else {
                result.append(EnergyTotals(location: source.location, today: nil, month: nil, days: []))
                continue
            }
            // A folder of day files is the source's own location; a folder of sub-folders, one location each.
            let own = site.locations.count == 1 && site.locations[0].files.allSatisfy {
                $0.path.hasPrefix(source.folder + "/") && !$0.path.dropFirst(source.folder.count + 1).contains("/")
            }
            for location in report.locations {
                let days = report.rows.filter { $0.location == location.name }.map { EnergyTotals.Day(date: $0.period, kwh: $0.kwh) }
                result.append(EnergyTotals(location: own ? source.location : location.name,
                                           today: days.last { $0.date == todayText }?.kwh,
                                           month: days.isEmpty ? nil : location.kwh, days: days))
            }
        }
        return result
    }

    /// The local day number (`LocalTime`) of `date` in `timeZone`, or in local time (`localtime_r`)
    /// when it is nil: FoundationEssentials knows no time zone rules but UTC's.
    static func day(_ date: Date, _ timeZone: TimeZone?) -> Int {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var offset = 0
        if let timeZone {
            offset = timeZone.secondsFromGMT(for: date)
        } else {
            var local = tm()
            if localtime_r(&seconds, &local) != nil { offset = local.tm_gmtoff }
        }
        return Int(((Double(seconds) + Double(offset)) / 86_400).rounded(.down))
    }
}
