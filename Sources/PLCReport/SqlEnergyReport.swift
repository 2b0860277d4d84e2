#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCBlocks

extension EnergyReport {
    /// The report from the aggregate rows of `EnergySql.statement` (`kind, site, location, src, key,
    /// value, extra`, ordered by site and location), locations named `site/location`.
    ///
    /// `binSlots` is the statement's period bin (2 for hours, 48 otherwise). A location with
    /// uncertain rows (see `EnergySql`) is replayed by `replay(site, location)`, which streams its
    /// rows through a `LocationEnergy` on the client.
    public init(aggregates: [[String?]], query: ReportQuery, binSlots: Int64,
                replay: (String, String) throws(ReportError) -> LocationEnergy) throws(ReportError) {
        var groups: [(site: String, location: String, figures: SqlFigures)] = []
        for (line, row) in aggregates.enumerated() {
            guard row.count >= 7, let kind = row[0], let site = row[1], let location = row[2],
                  let src = row[3].flatMap({ Int($0) }), let key = row[4].flatMap({ Double($0) }).map({ Int64($0) }) else {
                throw ReportError("the database's aggregate row \(line + 1) is malformed: \(row.map { $0 ?? "NULL" })")
            }
            let value = row[5].flatMap { Double($0) } ?? 0, extra = row[6].flatMap { Double($0) } ?? 0
            if groups.last.map({ $0.site != site || $0.location != location }) ?? true {
                groups.append((site, location, SqlFigures()))
            }
            groups[groups.count - 1].figures.take(kind, src: src, key: key, value: value, extra: extra)
        }
        by = query.by
        from = query.from.map(LocalTime.dateText)
        to = query.to.map(LocalTime.dateText)
        locations = []
        rows = []
        topByHour = []
        var periods: [String: [Int: Double]] = [:]
        for (index, group) in groups.enumerated() {
            let name = group.site + "/" + group.location
            if group.figures.uncertain > 0 {
                // The rules need more history than the database was given: replay on the client.
                let alone = EnergyReport([try replay(group.site, group.location)], query: query)
                locations.append(alone.locations[0])
                for row in alone.rows { periods[row.period, default: [:]][index, default: 0] += row.kwh }
                continue
            }
            let f = group.figures
            let source = f.source(bins: f.sourceBins)
            for (bin, kwh) in f.period[source == .counter ? 0 : 1] {
                periods[query.label(slot: bin * binSlots), default: [:]][index, default: 0] += kwh
            }
            let hourly = f.source(bins: f.counterHours)
            let peak = f.peak[f.source(bins: f.counterSlots) == .counter ? 0 : 1]
            locations.append(Location(
                name: name, source: source, kwh: f.period[source == .counter ? 0 : 1].values.reduce(0, +),
                peakKW: peak.map { $0.kwh * 2 }, peakAt: peak.map { LocalTime.slotText($0.slot) },
                readings: f.readings, intervalSeconds: LocationEnergy.interval(f.gaps),
                missing: LocationEnergy.missing(f.gaps), rejected: f.rejected, resets: f.steps, wraps: 0,
                resolution: f.resolution, byHourOfDay: f.byHour[hourly == .counter ? 0 : 1]))
        }
        finish(periods)
    }
}

/// One location's aggregates as the database returned them.
struct SqlFigures {
    var period: [[Int64: Double]] = [[:], [:]]
    var byHour = [[Double](repeating: 0, count: 24), [Double](repeating: 0, count: 24)]
    var slots = [0, 0]
    var counterTotal = 0.0
    var sourceBins = 0
    var counterHours = 0
    var peak: [(slot: Int64, kwh: Double)?] = [nil, nil]
    var gaps: [Int64: Int] = [:]
    var readings = 0, rejected = 0, steps = 0, uncertain = 0, decimals = 0

    var counterSlots: Int { slots[0] }
    var resolution: Double { Glibc.pow(10, -Double(min(decimals, 9))) }

    /// The source for bins of which the counter has `bins`, as `LocationEnergy.source(binSlots:)`.
    func source(bins: Int) -> EnergySource {
        EnergySource.choose(counter: slots[0] > 0, power: slots[1] > 0, resolution: resolution, total: counterTotal, bins: bins)
    }

    mutating func take(_ kind: String, src: Int, key: Int64, value: Double, extra: Double) {
        let s = min(max(src, 0), 1)
        switch (kind, src) {
        case ("P", _): period[s][key, default: 0] += value
        case ("H", _): byHour[s][Int((key % 24 + 24) % 24)] += value
        case ("S", 2): counterHours = Int(key)
        case ("S", _):
            slots[s] = Int(key)
            if s == 0 { counterTotal = value; sourceBins = Int(extra) }
        case ("K", _): peak[s] = (key, value)
        case ("G", _): gaps[key, default: 0] += Int(value)
        case ("Q", 0): readings = Int(key)
        case ("Q", 1): rejected = Int(key); steps = Int(value); uncertain = Int(extra)
        case ("Q", 2): decimals = Int(key)
        default: break
        }
    }
}

extension LocationEnergy {
    /// An empty accumulator for `query`'s range and spike check.
    public init(name: String, query: ReportQuery) {
        self.init(name: name, range: query.range, maxPower: query.maxPower)
    }
}

extension ReportQuery.Period {
    /// Slots of 30 minutes in a period, as used for choosing the source.
    public var slotCount: Int64 { slots }
}
