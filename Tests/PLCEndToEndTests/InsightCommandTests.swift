import Foundation
import Testing

/// `plc report --tariff/--by location/--anomalies` on generated CSV folders with known answers.
@Suite("plc report: cost, base load, anomalies")
struct InsightCommandTests {
    /// Writes `<dir>/Office/energy_<date>.csv` for `days` days from `start` (a reading every
    /// 5 minutes, counter in Wh); `kw(dayIndex, minute)` is the power over [minute, minute + 5).
    static func site(start: String, days: Int, kw: (Int, Int) -> Double) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("insight-\(UUID().uuidString.prefix(8))")
        let office = dir.appendingPathComponent("Office")
        try FileManager.default.createDirectory(at: office, withIntermediateDirectories: true)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let first = try #require(formatter.date(from: start))
        var exact = 500.0
        for d in 0...days {
            let date = formatter.string(from: first.addingTimeInterval(Double(d) * 86_400))
            var text = "timestamp,total_real_power,total_real_energy\n"
            for step in 0..<(d == days ? 1 : 288) {
                let minute = step * 5
                let power = d == 0 && step == 0 ? kw(0, 0) : minute == 0 ? kw(d - 1, 1435) : kw(d, minute - 5)
                if d > 0 || step > 0 { exact += power / 12 }
                text += String(format: "%@ %02d:%02d:00,%.0f,%.3f\n", date, minute / 60, minute % 60, power * 1000, exact)
            }
            try text.write(to: office.appendingPathComponent("energy_\(date).csv"), atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    /// Monday 2026-11-02 to Saturday 11-07: 10 kW 08:00-18:00, 4 kW otherwise, 30 kW Monday 14:00-14:30.
    static func twoRateSite() throws -> String {
        try site(start: "2026-11-02", days: 6) { day, minute in
            if day == 0 && minute >= 840 && minute < 870 { return 30 }
            return minute >= 480 && minute < 1080 ? 10 : 4
        }
    }

    static func run(_ arguments: [String]) throws -> PLCCommand.Result {
        let result = try PLCCommand.run(["report"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return result
    }

    @Test("--tariff adds a cost column to the cent; --by location gives base load, after-hours use and total cost")
    func costColumns() throws {
        let dir = try Self.twoRateSite()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let days = try Self.run([dir, "--tariff", "two-rate", "--format", "csv", "--from", "2026-11-02", "--to", "2026-11-07"])
        let lines = days.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "period,location,kwh,source,cost")
        #expect(lines.contains("2026-11-02,Office,166.000,counter,39.72"), "\(lines)")
        #expect(lines.contains("2026-11-03,Office,156.000,counter,36.72"))
        #expect(lines.contains("2026-11-07,Office,156.000,counter,18.72"))
        let byLocation = try Self.run([dir, "--by", "location", "--tariff", "tariffs/two-rate.yaml", "--format", "csv",
                                       "--from", "2026-11-02", "--to", "2026-11-07"])
        #expect(byLocation.stdout == """
            period,location,kwh,source,base_kw,after_hours_kwh,after_hours_share,cost,flags
            2026-11-02..2026-11-07,Office,946.000,counter,4.000,396.000,41.9,460.32,

            """)
        let table = try Self.run([dir, "--tariff", "two-rate", "--from", "2026-11-02", "--to", "2026-11-07"]).stdout
        #expect(table.contains("Cost (tariff two-rate, EUR)"))
        // The cost per report period in the table too, as the kWh table lays it out.
        #expect(table.contains("Energy cost by day (EUR)"), "\(table)")
        #expect(table.range(of: #"\n2026-11-02\s+39\.72\s+39\.72\n"#, options: .regularExpression) != nil, "\(table)")
        #expect(table.range(of: #"\n2026-11-07\s+18\.72\s+18\.72\n"#, options: .regularExpression) != nil)
        #expect(table.range(of: #"\nenergy\s+205\.32\s+205\.32\n"#, options: .regularExpression) != nil)
        #expect(table.range(of: #"Office\s+demand 2026-11\s+30\.0 kW\s+255\.00"#, options: .regularExpression) != nil, "\(table)")
        #expect(table.range(of: #"Office\s+peak\s+510\.000\s+153\.00\s+74\.5%"#, options: .regularExpression) != nil)
        let json = try Self.run([dir, "--tariff", "two-rate", "--format", "json", "--from", "2026-11-02", "--to", "2026-11-07"]).stdout
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(root["rows"] != nil)
        let insight = try #require(root["insight"] as? [String: Any])
        let location = try #require((insight["locations"] as? [[String: Any]])?.first)
        let cost = try #require(location["cost"] as? [String: Any])
        #expect(cost["total"] as? Double == 460.32)
        #expect(insight["currency"] as? String == "EUR")
        let rows = try #require(insight["rows"] as? [[String: Any]])
        #expect(rows.count == 6)
        #expect(rows.first?["period"] as? String == "2026-11-02" && rows.first?["location"] as? String == "Office")
        #expect(rows.first?["cost"] as? Double == 39.72)
        #expect(rows.last?["cost"] as? Double == 18.72)
    }

    @Test("a T#15m demand window from the CSV files: a 40 kW quarter hour, not the 30 kW half hour, to the cent; T#20m is refused")
    func quarterHourDemand() throws {
        // Monday 14:00-14:15 at 40 kW (its half hour averages 25 kW), Tuesday 09:00-09:30 at 30 kW.
        let dir = try Self.site(start: "2026-11-02", days: 6) { day, minute in
            if day == 0 && minute >= 840 && minute < 855 { return 40 }
            if day == 1 && minute >= 540 && minute < 570 { return 30 }
            return minute >= 480 && minute < 1080 ? 10 : 4
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = try String(contentsOf: PLCCommand.root.appendingPathComponent("tariffs/two-rate.yaml"), encoding: .utf8)
        var demand: [String: [String: Any]] = [:]
        for window in ["T#15m", "T#30m"] {
            let path = dir + "/demand-\(window.dropFirst(2)).yaml"
            try base.replacingOccurrences(of: "window: T#30m, price_per_kw: 8.50", with: "window: \(window), price_per_kw: 8.37")
                .write(toFile: path, atomically: true, encoding: .utf8)
            let json = try Self.run([dir, "--tariff", path, "--format", "json", "--from", "2026-11-02", "--to", "2026-11-07"]).stdout
            let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let insight = try #require(root["insight"] as? [String: Any])
            let cost = try #require((insight["locations"] as? [[String: Any]])?.first?["cost"] as? [String: Any])
            demand[window] = try #require((cost["demand"] as? [[String: Any]])?.first)
            let table = try Self.run([dir, "--tariff", path, "--from", "2026-11-02", "--to", "2026-11-07"]).stdout
            #expect(table.contains("the month's highest \(window.dropFirst(2).dropLast())-minute average power"), "\(table)")
        }
        #expect(demand["T#15m"]?["peakKW"] as? Double == 40)
        #expect(demand["T#15m"]?["at"] as? String == "2026-11-02 14:00")
        #expect(demand["T#15m"]?["cost"] as? Double == 334.8)
        #expect(demand["T#30m"]?["peakKW"] as? Double == 30)
        #expect(demand["T#30m"]?["at"] as? String == "2026-11-03 09:00")
        #expect(demand["T#30m"]?["cost"] as? Double == 251.1)
        let bad = dir + "/bad.yaml"
        try base.replacingOccurrences(of: "window: T#30m", with: "window: T#20m").write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try PLCCommand.run(["report", dir, "--tariff", bad])
        #expect(refused.status == 2)
        #expect(refused.stderr == bad + ":7: window must be T#15m or T#30m (a demand charge on quarter or half hours), not 'T#20m'\n")
    }

    @Test("a missing or bad tariff is one line naming the file (and line), exit 2")
    func badTariff() throws {
        let dir = try Self.twoRateSite()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = try PLCCommand.run(["report", dir, "--tariff", "no-such-tariff"])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("no-such-tariff: no such tariff file"), "\(missing.stderr)")
        let bad = dir + "/bad.yaml"
        try "tariff: bad\ncurrency: EUR\nperiods:\n  - {name: day, price: cheap}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let result = try PLCCommand.run(["report", dir, "--tariff", bad])
        #expect(result.status == 2)
        #expect(result.stderr == bad + ":4: price must be a number >= 0, not 'cheap'\n")
    }

    @Test("--anomalies: a flags column and heatmap marks for an injected hour, 'not enough data' with two weeks")
    func anomalies() throws {
        // Five weeks from Monday 2026-10-05; in the fifth week, Wednesday 11-04 02:00-03:00 draws 9 kW instead of 2.
        let dir = try Self.site(start: "2026-10-05", days: 35) { day, minute in
            if day == 30 && minute / 60 == 2 { return 9 }
            return day % 7 < 5 && minute >= 480 && minute < 1080 ? 12 + Double(minute % 7) * 0.05 : 2 + Double(minute % 3) * 0.02
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let svg = dir + "/heatmap.svg"
        let result = try Self.run([dir, "--anomalies", "--by", "hour", "--format", "csv", "--from", "2026-11-02", "--to", "2026-11-08", "--svg", svg])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "period,location,kwh,source,flags")
        let flagged = lines.filter { !$0.hasSuffix(",") && $0 != lines.first }
        #expect(flagged.count == 1, "\(flagged)")
        #expect(flagged.first?.hasPrefix("2026-11-04 02:00,Office,9.000,counter,+6.9") == true, "\(flagged)")
        #expect(flagged.first?.hasSuffix(" MAD)") == true)
        let image = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(image.components(separatedBy: "class=\"flag\"").count == 2)
        let short = try Self.run([dir, "--anomalies", "--by", "location", "--from", "2026-10-05", "--to", "2026-10-18"]).stdout
        #expect(short.range(of: #"Office\s+not enough data\s+0\s+0\s+0"#, options: .regularExpression) != nil, "\(short)")
    }
}
