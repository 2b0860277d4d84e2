/// Small bar charts drawn as inline SVG by the runtime: no chart library, works offline.
enum SVGChart {
    /// A bar chart of `bars` (label, value), `unit` after each value; empty text for no bars.
    static func bars(_ bars: [(label: String, value: Double)], unit: String, title: String) -> String {
        guard !bars.isEmpty else { return "" }
        let width = 320.0, height = 140.0, top = 16.0, bottom = 22.0
        let top1 = max(bars.map(\.value).max() ?? 0, 1e-9)
        let step = width / Double(bars.count)
        let barWidth = max(step * 0.7, 1)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        svg += "<title>\(HTML.escape(title))</title>"
        let labelEvery = max(1, bars.count / 8)
        for (i, bar) in bars.enumerated() {
            let h = max(bar.value, 0) / top1 * (height - top - bottom)
            let x = Double(i) * step + (step - barWidth) / 2
            let y = height - bottom - h
            svg += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(barWidth))\" height=\"\(f(h))\">"
                + "<title>\(HTML.escape(bar.label)): \(formatFixed(bar.value, decimals: 2)) \(HTML.escape(unit))</title></rect>"
            if i % labelEvery == 0 || bars.count <= 8 {
                svg += "<text x=\"\(f(x + barWidth / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">\(HTML.escape(bar.label))</text>"
            }
        }
        svg += "<text x=\"0\" y=\"11\">max \(formatFixed(top1, decimals: 2)) \(HTML.escape(unit))</text>"
        svg += "<line x1=\"0\" x2=\"\(Int(width))\" y1=\"\(f(height - bottom))\" y2=\"\(f(height - bottom))\"/></svg>"
        return svg
    }

    private static func f(_ v: Double) -> String { formatFixed(v, decimals: 1) }
}

extension SVGChart {
    /// A line chart of `values` (oldest first, NaN: no value) filling a window of `capacity` points
    /// that ends now; gaps break the line. `span` names the window (`1 h`).
    static func trend(_ values: [Float], capacity: Int, span: String, location: String, unit: String) -> String {
        let width = 480.0, height = 120.0, top = 16.0, bottom = 18.0, plot = height - top - bottom
        let finite = values.filter(\.isFinite).map(Double.init)
        let top1 = max(finite.max() ?? 0, 1e-9)
        let last = values.last(where: \.isFinite).map(Double.init)
        let title = "\(location) power, last \(span)"
        var svg = "<svg class=\"chart trend\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\""
            + " data-location=\"\(HTML.escape(location))\" data-span=\"\(HTML.escape(span))\" data-points=\"\(finite.count)\""
            + " data-last=\"\(last.map { formatFixed($0, decimals: 2) } ?? "")\"><title>\(HTML.escape(title))</title>"
        let step = width / Double(max(capacity - 1, 1))
        let first = capacity - values.count
        var line = ""
        func flush() {
            if !line.isEmpty { svg += "<polyline fill=\"none\" stroke=\"#4fa3ff\" stroke-width=\"1.5\" points=\"\(line)\"/>" }
            line = ""
        }
        for (i, v) in values.enumerated() {
            guard v.isFinite else { flush(); continue }
            let y = top + plot - max(Double(v), 0) / top1 * plot
            line += (line.isEmpty ? "" : " ") + f(Double(first + i) * step) + "," + f(y)
        }
        flush()
        svg += "<line x1=\"0\" x2=\"\(Int(width))\" y1=\"\(f(top + plot))\" y2=\"\(f(top + plot))\"/>"
        svg += "<text x=\"0\" y=\"11\">max \(formatFixed(top1, decimals: 2)) \(HTML.escape(unit))</text>"
        svg += "<text x=\"\(Int(width))\" y=\"11\" text-anchor=\"end\" class=\"now\">now \(last.map { formatFixed($0, decimals: 2) } ?? "-") \(HTML.escape(unit))</text>"
        svg += "<text x=\"0\" y=\"\(Int(height) - 4)\">-\(HTML.escape(span))</text>"
        svg += "<text x=\"\(Int(width))\" y=\"\(Int(height) - 4)\" text-anchor=\"end\">now</text></svg>"
        return svg
    }
}
