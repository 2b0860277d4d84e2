/// A self-contained HTML page: the heatmap inline, the tables, no script, no link outside.
public enum HTMLReport {
    /// The page; `marks` outline flagged hours on the heatmap, `insight` (text tables) follows it.
    public static func page(_ report: EnergyReport, marks: [String: Set<Int>] = [:], insight: String = "") -> String {
        let e = Heatmap.escape
        var s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        s += "<title>Energy report" + e(Heatmap.rangeText(report)) + "</title>\n<style>\n"
        s += "body { font-family: sans-serif; margin: 24px; color: #222; }\n"
        s += "table { border-collapse: collapse; margin: 8px 0 24px; }\n"
        s += "th, td { border: 1px solid #ccc; padding: 3px 8px; }\n"
        s += "td.n { text-align: right; font-variant-numeric: tabular-nums; }\n"
        s += "th { background: #f3f3f3; }\n</style>\n</head>\n<body>\n"
        s += "<h1>Energy report" + e(Heatmap.rangeText(report)) + "</h1>\n"
        s += "<h2>kWh by location and hour of day</h2>\n" + Heatmap.svg(report, marks: marks)
        if !insight.isEmpty { s += "<h2>Cost, base load and anomalies</h2>\n<pre>" + e(insight) + "</pre>\n" }
        var totals: [[String]] = [["location", "kWh", "source", "peak kW (30 min)", "peak from"]]
        for l in report.locations {
            totals.append([l.name, ReportText.kwh(l.kwh), l.source.rawValue, l.peakKW.map { String(printf: "%.1f", $0) } ?? "-", l.peakAt ?? "-"])
        }
        s += "<h2>Locations</h2>\n" + table(totals)
        var top: [[String]] = [["hour", "location", "kWh", "share %"]]
        for t in report.topByHour {
            top.append([LocalTime.pad(t.hour, 2) + ":00", t.location, ReportText.kwh(t.kwh), String(Int(t.share.rounded()))])
        }
        s += "<h2>Top location per hour of day</h2>\n" + table(top)
        s += "<h2>Data quality</h2>\n" + table(ReportText.qualityGrid(report))
        let names = report.locations.map(\.name)
        var periods: [[String]] = [["period"] + names]
        var index: [String: Int] = [:]
        for row in report.rows {
            if index[row.period] == nil {
                index[row.period] = periods.count
                periods.append([row.period] + names.map { _ in "-" })
            }
            if let column = names.firstIndex(of: row.location) { periods[index[row.period]!][column + 1] = ReportText.kwh(row.kwh) }
        }
        s += "<h2>kWh by \(report.by.rawValue)</h2>\n" + table(periods)
        s += "</body>\n</html>\n"
        return s
    }

    static func table(_ grid: [[String]]) -> String {
        guard let header = grid.first else { return "" }
        var s = "<table>\n<tr>" + header.map { "<th>\(Heatmap.escape($0))</th>" }.joined() + "</tr>\n"
        for row in grid.dropFirst() {
            s += "<tr>" + row.enumerated().map { i, cell in
                i > 0 && (Double(cell) != nil || cell == "-") ? "<td class=\"n\">\(cell)</td>" : "<td>\(Heatmap.escape(cell))</td>"
            }.joined() + "</tr>\n"
        }
        return s + "</table>\n"
    }
}
