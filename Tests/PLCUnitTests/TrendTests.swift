@testable import PLCHttp
import Testing

/// The Live page's trend: fixed rings, the power column, and the SVG line drawn from them.
@Suite("Dashboard trend rings")
struct TrendTests {
    @Test("a ring keeps its capacity's newest values, oldest first, and never grows")
    func ring() {
        var ring = TrendRing(capacity: 4)
        #expect(ring.values.isEmpty)
        for v in 1...3 { ring.push(Float(v)) }
        #expect(ring.values == [1, 2, 3])
        for v in 4...10 { ring.push(Float(v)) }
        #expect(ring.values == [7, 8, 9, 10])
        #expect(ring.count == 4 && ring.capacity == 4)
    }

    @Test("the power column: total_real_power in W becomes kW; a power factor is never taken")
    func powerColumn() {
        let rx = TrendRecorder.powerColumn("voltage_l1,total_power_factor,total_real_power,total_real_energy", "V,,W,kWh")
        #expect(rx?.index == 2 && rx?.toKW == 0.001)
        let kw = TrendRecorder.powerColumn("power_factor, active_power", ",kW")
        #expect(kw?.index == 1 && kw?.toKW == 1)
        #expect(TrendRecorder.powerColumn("voltage_l1,total_power_factor", "V,") == nil)
    }

    @Test("the trend chart: points at the right end of the window, a gap breaks the line, the last value shown")
    func chart() {
        let svg = SVGChart.trend([2, 4, .nan, 1], capacity: 5, span: "1 h", location: "Office", unit: "kW")
        #expect(svg.contains(#"data-points="3" data-last="1.00""#))
        // x: window of 5 points over 480 px (120 px apart); values start at the 2nd point. y: 16 + 86 - v / 4 * 86.
        #expect(svg.contains(#"points="120.0,59.0 240.0,16.0""#), "\(svg)")
        #expect(svg.contains(#"points="480.0,80.5""#))
        #expect(svg.contains("now 1.00 kW") && svg.contains("max 4.00 kW"))
    }
}
