#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// The report as text: a readable table, CSV (`period,location,kwh,source`) or JSON.
public enum ReportText {
    /// kWh with Wh resolution.
    public static func kwh(_ value: Double) -> String { String(printf: "%.3f", value) }

    /// CSV of the period table; the columns start `period,location,kwh`.
    public static func csv(_ report: EnergyReport) -> String {
        var out = "period,location,kwh,source\n"
        let sources = Dictionary(report.locations.map { ($0.name, $0.source.rawValue) }, uniquingKeysWith: { a, _ in a })
        for row in report.rows {
            out += "\(row.period),\(CSVQuote.cell(row.location)),\(kwh(row.kwh)),\(sources[row.location] ?? "")\n"
        }
        return out
    }

    /// The whole report as JSON, kWh and kW rounded to three decimals.
    public static func json(_ report: EnergyReport) -> String {
        encoded(rounded(report))
    }

    /// Pretty, sorted JSON of `value`.
    static func encoded(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The report with kWh and kW rounded to three decimals, shares to one.
    static func rounded(_ report: EnergyReport) -> EnergyReport {
        var r = report
        let round3 = { (x: Double) in (x * 1000).rounded() / 1000 }
        r.rows = r.rows.map { EnergyReport.Row(period: $0.period, location: $0.location, kwh: round3($0.kwh)) }
        r.locations = r.locations.map { l in
            var l = l
            l.kwh = round3(l.kwh)
            l.peakKW = l.peakKW.map(round3)
            l.byHourOfDay = l.byHourOfDay.map(round3)
            return l
        }
        r.topByHour = r.topByHour.map { t in
            var t = t
            t.kwh = round3(t.kwh)
            t.share = (t.share * 10).rounded() / 10
            return t
        }
        return r
    }

    /// The tables a person reads: kWh per period (one column per location), the top location
    /// per hour of day, peak demand, and data quality.
    public static func table(_ report: EnergyReport) -> String {
        let names = report.locations.map(\.name)
        var out = "kWh by \(report.by.rawValue)"
        if report.from != nil || report.to != nil { out += ", \(report.from ?? "start") to \(report.to ?? "end")" }
        out += "\n\n"
        var grid: [[String]] = [["period"] + names + ["total"]]
        var current: String?
        var values: [String: Double] = [:]
        func flush() {
            guard let period = current else { return }
            grid.append([period] + names.map { values[$0].map(kwh) ?? "-" } + [kwh(values.values.reduce(0, +))])
            values = [:]
        }
        for row in report.rows {
            if row.period != current { flush(); current = row.period }
            values[row.location] = row.kwh
        }
        flush()
        grid.append(["total"] + report.locations.map { kwh($0.kwh) } + [kwh(report.locations.reduce(0) { $0 + $1.kwh })])
        out += layout(grid, numeric: true)
        out += "\nTop location per hour of day\n\n"
        var top: [[String]] = [["hour", "location", "kWh", "share"]]
        for t in report.topByHour {
            top.append([LocalTime.pad(t.hour, 2) + ":00", t.location, kwh(t.kwh), String(printf: "%.0f%%", t.share)])
        }
        out += layout(top, numeric: true)
        out += "\nPeak demand (highest 30-minute average)\n\n"
        var peak: [[String]] = [["location", "kW", "half hour from"]]
        for l in report.locations { peak.append([l.name, l.peakKW.map { String(printf: "%.1f", $0) } ?? "-", l.peakAt ?? "-"]) }
        out += layout(peak, numeric: true)
        out += "\nData quality\n\n"
        out += layout(qualityGrid(report), numeric: true)
        return out
    }

    /// The data quality table, header first.
    static func qualityGrid(_ report: EnergyReport) -> [[String]] {
        var grid: [[String]] = [["location", "source", "readings", "interval", "missing", "rejected", "resets", "wraps"]]
        for l in report.locations {
            grid.append([l.name, l.source.rawValue, String(l.readings), l.intervalSeconds.map(duration) ?? "-",
                         String(l.missing), String(l.rejected), String(l.resets), String(l.wraps)])
        }
        return grid
    }

    /// `5m`, `30s`, `1h`.
    static func duration(_ seconds: Int64) -> String {
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// Columns padded to their widest cell; numbers right-aligned, the first column left.
    static func layout(_ grid: [[String]], numeric: Bool) -> String {
        guard let first = grid.first else { return "" }
        var widths = [Int](repeating: 0, count: first.count)
        for row in grid { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in grid {
            var line = ""
            for (i, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                let isNumber = numeric && i > 0 && (Double(cell.trimming(where: { $0 == "%" })) != nil || cell == "-")
                line += i == 0 ? cell + pad : "  " + (isNumber ? pad + cell : cell + pad)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}

/// Quoting of one CSV cell.
enum CSVQuote {
    static func cell(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingEvery("\"", with: "\"\"") + "\""
    }
}
