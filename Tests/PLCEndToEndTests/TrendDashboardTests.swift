import Foundation
import PLCMeters
import Testing

/// The Live page's power trend, rendered by headless Chromium, against the simulated meter.
@Suite("Dashboard: live power trend and cost", .serialized)
struct TrendDashboardTests {
    @Test("the trend shows the last hour's points and a 'now' value the simulator's power had; the Energy page shows the cost")
    func trendAndCost() throws {
        let run = try DashboardRun(extra: ["--tariff", "two-rate"])
        // With only today's file, the anomaly check has no history: "not enough data", no flag.
        let first = try run.renderedDOM("/energy")
        #expect(first.contains(#"<tr data-flags="RX380"><td>RX380</td><td><span class="state stale">not enough data</span></td><td></td>"#),
                "\(first.suffix(1500))")
        // The seeded 37 kWh of today 00:00-00:05 are off-peak (0.12 EUR): 4.44 today and this month; as the
        // month's highest half hour (74 kW) they set the demand charge: 74 x 8.50 = 629.00.
        let energy = try run.renderedDOM("/energy")
        #expect(energy.contains(#"<h2>Cost <span class="muted">tariff two-rate</span></h2>"#), "\(energy.suffix(1500))")
        #expect(energy.contains(#"<tr data-cost="RX380"><td>RX380</td><td class="v">4.44</td><td class="v">4.44</td>"#
                                + #"<td class="v">629.00</td><td class="v">633.44</td></tr>"#), "\(energy.suffix(1500))")

        // A point every 10 s: wait (hang guard 40 s) until the page has two good ones.
        let deadline = Date().addingTimeInterval(40)
        var points = 0
        while Date() < deadline {
            let page = try HTTP.request(port: run.port, path: "/").body
            if let m = page.range(of: #"data-span="1 h" data-points="(\d+)""#, options: .regularExpression) {
                points = Int(page[m].split(separator: "\"")[3]) ?? 0
                if points >= 2 { break }
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(points >= 2, "no trend points within 40 s")
        let live = try run.renderedDOM("/")
        #expect(live.contains(#"data-refreshed=""#), "the page never refreshed itself")
        let pattern = try NSRegularExpression(pattern: #"data-location="RX380" data-span="1 h" data-points="(\d+)" data-last="([0-9.]+)""#)
        let match = try #require(pattern.firstMatch(in: live, range: NSRange(live.startIndex..., in: live)), "no 1 h trend in \(live.prefix(800))")
        let last = try #require(Double(live[Range(match.range(at: 2), in: live)!]))
        #expect(live.contains("now \(String(format: "%.2f", last)) kW"))
        #expect(live.contains("<polyline"))
        #expect(live.contains(#"data-span="24 h""#))
        // Five weeks of history before today at a steady 2 kW, except yesterday 03:00-04:00 at 9 kW: flagged on the Energy page.
        try Self.writeHistory(run.folder)
        let flagged = try run.renderedDOM("/energy")
        let yesterday = Self.dateText(Date().addingTimeInterval(-86_400))
        #expect(flagged.contains(#"<tr data-flags="RX380"><td>RX380</td><td><span class="state error">flagged</span></td>"#
                                 + "<td>\(yesterday) 03:00</td><td>1 h</td><td class=\"v\">+7.00 kWh (+175.0 MAD)</td></tr>"),
                "\(flagged.suffix(1500))")
        #expect(flagged.components(separatedBy: "<tr data-flags=").count == 2, "one flag only")
        // The value was the simulated meter's total_real_power (W, as rx380_main reads it) at some time since start.
        let model = try MeterCatalog.standard(near: PLCCommand.root.appendingPathComponent("programs/rx380_main").path).load("rx380")
        let meter = SimulatedMeter(model: model, slave: 1)
        let power = try #require(SimulatedRX380.columns.first { $0.0 == "total_real_power" })
        var t = 0.0, seen = false
        let elapsed = Date().timeIntervalSince(run.started) + 1
        while t <= elapsed && !seen {
            if case .success(let registers) = meter.read(function: 4, address: 4000, count: 46, seconds: t) {
                seen = abs(SimulatedRX380.decode(registers, power) / 1000 - last) <= 0.0051
            }
            t += 0.01
        }
        #expect(seen, "the trend's now value \(last) kW was never the simulator's power")
    }

    static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// rx380_data files for the 35 days before today: 2 kW (9 kW yesterday 03:00-04:00), a row every
    /// 5 minutes, the counter (Wh) ending at the seeded file's 12300 kWh at today's 00:00.
    static func writeHistory(_ folder: URL) throws {
        let kw = { (day: Int, minute: Int) -> Double in day == 34 && minute / 60 == 3 ? 9 : 2 }
        var total = 0.0
        for day in 0..<35 { for step in 0..<288 { total += kw(day, step * 5) / 12 } }
        var counter = 12_300 - total
        let today = Calendar.current.startOfDay(for: Date())
        for day in 0..<35 {
            let date = dateText(Calendar.current.date(byAdding: .day, value: day - 35, to: today)!)
            var text = "timestamp,total_real_power,total_real_energy\n"
            for step in 0..<288 {
                text += String(format: "%@ %02d:%02d:00,%.0f,%.3f\n", date, step / 12, step % 12 * 5,
                               kw(day, max(step * 5 - 5, 0)) * 1000, counter)
                counter += kw(day, step * 5) / 12
            }
            try text.write(to: folder.appendingPathComponent("rx380_data_\(date).csv"), atomically: true, encoding: .utf8)
        }
    }
}

@Suite("plc run --tariff")
struct RunTariffTests {
    @Test("a missing tariff stops the run before the first scan: one line, exit 2")
    func missing() throws {
        let result = try PLCCommand.run(["run", "programs/rx380_main", "--simulate", "--set", "HttpListen=127.0.0.1:0",
                                         "--tariff", "no-such-tariff", "--cycles", "1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no-such-tariff: no such tariff file"), "\(result.stderr)")
    }
}

@Suite("plc bench-dashboard: trend rings")
struct TrendBenchTests {
    @Test("the trend rings' memory is stated; neither the per-scan check between points nor taking a point allocates",
          .timeLimit(.minutes(10)))
    func rings() throws {
        let result = try PLCCommand.run(["bench-dashboard", "--seconds", "0.2"], timeout: 100)
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("trend rings") }.map(String.init),
                                "\(result.stdout)")
        // rx380_main has one location: (360 + 288) single-precision points.
        #expect(line == "trend rings   \((360 + 288) * 4) bytes fixed; 0 allocations in 100000 per-scan checks between points, "
                + "0 allocations per point (every 10 s)", "\(line)")
    }
}
