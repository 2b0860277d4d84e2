import PLCCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The insight as text: extra columns for the CSV, extra tables for people, an `insight` key in JSON.
public enum InsightText {
    static func money(_ value: Double) -> String { String(printf: "%.2f", value) }
    static func kw(_ value: Double?) -> String { value.map { String(printf: "%.2f", $0) } ?? "-" }
    static func percent(_ value: Double?) -> String { value.map { String(printf: "%.1f%%", $0) } ?? "-" }

    /// The report's CSV with a `cost` column (with a tariff) and a `flags` column (with the anomaly check).
    public static func csv(_ report: EnergyReport, _ insight: EnergyInsight, flags: Bool) -> String {
        let lines = ReportText.csv(report).split(separator: "\n", omittingEmptySubsequences: false)
        var out = String(lines[0]) + (insight.tariff != nil ? ",cost" : "") + (flags ? ",flags" : "") + "\n"
        for (row, line) in zip(report.rows, lines.dropFirst()) {
            let key = row.period + "|" + row.location
            out += line
            if insight.tariff != nil { out += "," + money(insight.rowCost[key] ?? 0) }
            if flags { out += "," + CSVQuote.cell(insight.rowFlags[key] ?? "") }
            out += "\n"
        }
        return out
    }

    /// `--by location` as CSV: one row per location over the whole range.
    public static func locationsCSV(_ report: EnergyReport, _ insight: EnergyInsight) -> String {
        var out = "period,location,kwh,source,base_kw,after_hours_kwh,after_hours_share,cost,flags\n"
        let period = (report.from ?? "start") + ".." + (report.to ?? "end")
        for (l, i) in zip(report.locations, insight.locations) {
            out += [period, CSVQuote.cell(l.name), ReportText.kwh(i.kwh), l.source.rawValue, i.baseLoadKW.map { String(printf: "%.3f", $0) } ?? "",
                    i.afterHoursKWh.map(ReportText.kwh) ?? "", i.afterHoursShare.map { String(printf: "%.1f", $0) } ?? "",
                    i.cost.map { money($0.total) } ?? "", i.anomalies.map(flagCount) ?? ""].joined(separator: ",") + "\n"
        }
        return out
    }

    static func flagCount(_ check: AnomalyCheck) -> String {
        check.status == "not enough data" ? "not enough data" : String(check.flags.count)
    }

    /// `--by location` for people: kWh, base load, after-hours use, cost and flags per location.
    public static func locationsTable(_ report: EnergyReport, _ insight: EnergyInsight) -> String {
        var out = "By location" + Heatmap.rangeText(report) + "\n\n"
        var grid: [[String]] = [["location", "kWh", "base kW", "after-hours kWh", "after-hours share"]]
        if let currency = insight.currency { grid[0].append("cost " + currency) }
        if insight.locations.contains(where: { $0.anomalies != nil }) { grid[0].append("flags") }
        for l in insight.locations {
            var row = [l.name, ReportText.kwh(l.kwh), kw(l.baseLoadKW), l.afterHoursKWh.map(ReportText.kwh) ?? "-", percent(l.afterHoursShare)]
            if let cost = l.cost { row.append(money(cost.total)) }
            if let check = l.anomalies { row.append(flagCount(check)) }
            grid.append(row)
        }
        out += ReportText.layout(grid, numeric: true)
        out += "\nBase load: the median over days of each day's 10th-percentile hourly average power.\n"
        if insight.locations.first?.afterHoursKWh == nil { out += "After-hours: no opening hours given (tariff 'opening:' or --opening FILE).\n" }
        return out + sections(insight)
    }

    /// Energy cost per report period, one column per location, as the kWh table; empty without a tariff.
    public static func periodCosts(_ insight: EnergyInsight, by: ReportQuery.Period) -> String {
        guard let currency = insight.currency else { return "" }
        let names = insight.locations.map(\.name)
        var grid: [[String]] = [["period"] + names + ["total"]]
        var byPeriod: [String: [String: Double]] = [:]
        for row in insight.rowCosts { byPeriod[row.period, default: [:]][row.location] = row.cost }
        for period in byPeriod.keys.sorted() {
            let costs = byPeriod[period]!
            grid.append([period] + names.map { costs[$0].map(money) ?? "-" } + [money(costs.values.reduce(0, +))])
        }
        grid.append(["energy"] + insight.locations.map { $0.cost.map { money($0.energy) } ?? "-" }
                    + [money(insight.locations.reduce(0) { $0 + ($1.cost?.energy ?? 0) })])
        return "\nEnergy cost by \(by.rawValue) (\(currency))\n\n" + ReportText.layout(grid, numeric: true)
    }

    /// The cost and anomaly tables, after the report's own.
    public static func sections(_ insight: EnergyInsight) -> String {
        var out = ""
        if let name = insight.tariff, let currency = insight.currency {
            out += "\nCost (tariff \(name), \(currency))\n\n"
            var grid: [[String]] = [["location", "period", "kWh", "cost", "share"]]
            for l in insight.locations {
                guard let cost = l.cost else { continue }
                for p in cost.periods { grid.append([l.name, p.name, ReportText.kwh(p.kwh), money(p.cost), percent(p.share)]) }
                grid.append([l.name, "energy", ReportText.kwh(l.kwh), money(cost.energy), "-"])
                for d in cost.demand { grid.append([l.name, "demand " + d.month, String(printf: "%.1f kW", d.peakKW), money(d.cost), "-"]) }
                grid.append([l.name, "total", "-", money(cost.total), "-"])
            }
            out += ReportText.layout(grid, numeric: true)
            if insight.locations.contains(where: { !($0.cost?.demand.isEmpty ?? true) }) {
                let minutes = insight.demandWindowMinutes ?? 30
                out += "\nDemand charge: the month's highest \(minutes)-minute average power\n\n"
                var peaks: [[String]] = [["location", "month", "kW", (minutes == 30 ? "half hour" : "\(minutes) min") + " from", "cost"]]
                for l in insight.locations {
                    for d in l.cost?.demand ?? [] { peaks.append([l.name, d.month, String(printf: "%.1f", d.peakKW), d.at, money(d.cost)]) }
                }
                out += ReportText.layout(peaks, numeric: true)
            }
        }
        let checked = insight.locations.compactMap { l in l.anomalies.map { (l.name, $0) } }
        if !checked.isEmpty {
            out += "\nAnomalies (median +/- \(Int(AnomalyCheck.threshold)) MAD of the same hour in the last weeks; base load against the last weeks' days)\n\n"
            var grid: [[String]] = [["location", "status", "hours checked", "days checked", "flags"]]
            for (name, c) in checked {
                grid.append([name, c.status, String(c.hoursChecked), String(c.daysChecked), String(c.flags.count)])
            }
            out += ReportText.layout(grid, numeric: true)
            if checked.contains(where: { !$0.1.flags.isEmpty }) {
                out += "\nFlagged (consecutive hours on the same side as one line)\n\n"
                var list: [[String]] = [["location", "from", "hours", "kind", "value", "median", "deviation"]]
                for (name, c) in checked {
                    for run in flagRuns(c) {
                        list.append([name, run.from, run.kind == "hour" ? String(run.hours) : "-", run.kind, String(printf: "%.2f", run.value),
                                     String(printf: "%.2f", run.median), run.deviation])
                    }
                }
                out += ReportText.layout(list, numeric: false)
            }
        }
        return out
    }

    /// The report's JSON with the insight under `insight`, numbers rounded to three decimals.
    public static func json(_ report: EnergyReport, _ insight: EnergyInsight) -> String {
        ReportText.encoded(WithInsight(report: ReportText.rounded(report), insight: insight.rounded()))
    }

    /// The report's keys and `insight`.
    struct WithInsight: Encodable {
        var report: EnergyReport
        var insight: EnergyInsight

        enum Key: String, CodingKey { case insight }

        func encode(to encoder: any Encoder) throws {
            try report.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(insight, forKey: .insight)
        }
    }

    /// Consecutive flagged hours on the same side of the median (or one base-load day).
    public struct FlagRun: Sendable, Equatable {
        /// `hour` or `baseload`.
        public var kind: String
        /// The first hour (`YYYY-MM-DD HH:00`) or the day.
        public var from: String
        public var hours: Int
        /// Sums over the run: kWh for hours, kW for a base load.
        public var value: Double
        public var median: Double
        /// `+160.03 kWh (+1011.6 MAD)`: the difference and the furthest hour's MADs.
        public var deviation: String
    }

    /// The check's flags as runs, in time order within each kind.
    public static func flagRuns(_ check: AnomalyCheck) -> [FlagRun] {
        runs(check.flags).map { run in
            let f = run[0], value = run.reduce(0) { $0 + $1.value }, median = run.reduce(0) { $0 + $1.median }
            let furthest = run.max { abs($0.mads) < abs($1.mads) }!.mads
            let unit = f.kind == "hour" ? "kWh" : "kW"
            return FlagRun(kind: f.kind, from: f.at, hours: run.count, value: value, median: median,
                           deviation: (f.kind == "hour" ? "" : "base ") + String(printf: "%+.2f ", value - median) + unit
                               + String(printf: " (%+.1f MAD)", furthest))
        }
    }

    /// Flags grouped: consecutive flagged hours on the same side of the median form one run.
    static func runs(_ flags: [AnomalyCheck.Flag]) -> [[AnomalyCheck.Flag]] {
        var runs: [[AnomalyCheck.Flag]] = []
        for f in flags.sorted(by: { $0.kind != $1.kind ? $0.kind < $1.kind : $0.slot < $1.slot }) {
            if let last = runs.last?.last, last.kind == "hour", f.kind == "hour", f.slot == last.slot + 2, (f.mads > 0) == (last.mads > 0) {
                runs[runs.count - 1].append(f)
            } else {
                runs.append([f])
            }
        }
        return runs
    }

    /// Hours of day with a flagged hour, per location, for marks on the heatmap.
    public static func heatmapMarks(_ insight: EnergyInsight) -> [String: Set<Int>] {
        var marks: [String: Set<Int>] = [:]
        for l in insight.locations {
            for f in l.anomalies?.flags ?? [] where f.kind == "hour" {
                marks[l.name, default: []].insert(Int(EnergySegmentHour.of(f.slot)))
            }
        }
        return marks
    }
}

/// The hour of day of a half-hour slot.
enum EnergySegmentHour {
    static func of(_ slot: Int64) -> Int64 { ((slot % 48 + 48) % 48) / 2 }
}

extension Heatmap {
    /// A blue outline around a heatmap cell holding a flagged hour.
    static func flagMark(x: Int, y: Int, width: Int, height: Int) -> String {
        "<rect class=\"flag\" x=\"\(x + 1)\" y=\"\(y + 1)\" width=\"\(width - 2)\" height=\"\(height - 2)\" fill=\"none\" stroke=\"#1f4eff\" stroke-width=\"2\"/>\n"
    }
}
