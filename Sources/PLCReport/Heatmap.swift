import PLCCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// An SVG heatmap of kWh per location (rows) and hour of day (columns), drawn from scratch.
public enum Heatmap {
    /// The SVG document (also embedded as is in the HTML report); `marks` outlines the hours of
    /// day (per location) that hold a flagged hour.
    public static func svg(_ report: EnergyReport, marks: [String: Set<Int>] = [:]) -> String {
        let cell = 34, rowHeight = 26
        let labelWidth = max(90, (report.locations.map(\.name.count).max() ?? 0) * 8 + 16)
        let top = 48, width = labelWidth + 24 * cell + 20
        let height = top + report.locations.count * rowHeight + 46
        let maximum = report.locations.flatMap(\.byHourOfDay).max() ?? 0
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
        s += "viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<title>kWh by location and hour of day</title>\n"
        s += "<rect width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        s += "<text x=\"\(labelWidth)\" y=\"18\" font-size=\"13\" font-weight=\"bold\">kWh by hour of day"
        s += escape(rangeText(report)) + "</text>\n"
        for hour in 0..<24 {
            let x = labelWidth + hour * cell + cell / 2
            s += "<text x=\"\(x)\" y=\"\(top - 6)\" text-anchor=\"middle\">\(LocalTime.pad(hour, 2))</text>\n"
        }
        for (row, location) in report.locations.enumerated() {
            let y = top + row * rowHeight
            s += "<text x=\"\(labelWidth - 8)\" y=\"\(y + rowHeight / 2 + 4)\" text-anchor=\"end\" class=\"location\">"
            s += escape(location.name) + "</text>\n"
            for hour in 0..<24 {
                let value = location.byHourOfDay[hour]
                let level = maximum > 0 ? max(0, value) / maximum : 0
                let x = labelWidth + hour * cell
                s += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell - 1)\" height=\"\(rowHeight - 1)\" fill=\"\(color(level))\">"
                s += "<title>\(escape(location.name)) \(LocalTime.pad(hour, 2)):00 \(ReportText.kwh(value)) kWh</title></rect>\n"
                s += "<text x=\"\(x + cell / 2)\" y=\"\(y + rowHeight / 2 + 4)\" text-anchor=\"middle\" font-size=\"9\" "
                s += "fill=\"\(level > 0.55 ? "#ffffff" : "#333333")\">\(short(value))</text>\n"
                if marks[location.name]?.contains(hour) == true { s += flagMark(x: x, y: y, width: cell - 1, height: rowHeight - 1) }
            }
        }
        let legendY = top + report.locations.count * rowHeight + 14
        for i in 0..<10 {
            s += "<rect x=\"\(labelWidth + i * 20)\" y=\"\(legendY)\" width=\"20\" height=\"10\" fill=\"\(color(Double(i) / 9))\"/>\n"
        }
        s += "<text x=\"\(labelWidth + 210)\" y=\"\(legendY + 9)\">0 to \(ReportText.kwh(maximum)) kWh per cell (hour of day, whole range)</text>\n"
        s += "</svg>\n"
        return s
    }

    static func rangeText(_ report: EnergyReport) -> String {
        report.from == nil && report.to == nil ? "" : ", \(report.from ?? "start") to \(report.to ?? "end")"
    }

    /// White (0) through orange to dark red (1).
    static func color(_ level: Double) -> String {
        let stops: [(Double, Double, Double)] = [(255, 255, 255), (253, 174, 97), (215, 48, 39), (103, 0, 13)]
        let t = min(max(level, 0), 1) * Double(stops.count - 1)
        let i = min(Int(t), stops.count - 2)
        let f = t - Double(i)
        let (a, b) = (stops[i], stops[i + 1])
        let mix = { (p: Double, q: Double) in Int((p + (q - p) * f).rounded()) }
        return String(printf: "#%02lx%02lx%02lx", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// A value that fits a cell: `0.42`, `12.3`, `1234`.
    static func short(_ value: Double) -> String {
        let a = abs(value)
        return a >= 100 ? String(printf: "%.0f", value) : a >= 10 ? String(printf: "%.1f", value) : String(printf: "%.2f", value)
    }

    /// Text escaped for XML and HTML.
    static func escape(_ text: String) -> String { MarkupText.escape(text) }
}
