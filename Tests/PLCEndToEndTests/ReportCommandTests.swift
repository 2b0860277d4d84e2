import Foundation
import Testing

/// `plc report` on generated CSV sets with known answers, and its pages in headless Chromium.
@Suite("plc report", .serialized)
struct ReportCommandTests {
    static let site: String = (try? GeneratedSite.write()) ?? "/nonexistent"

    /// Rows of `plc report --format csv`, keyed by "period|location": (kWh, source).
    static func csvRows(_ arguments: [String]) throws -> [String: (kwh: Double, source: String)] {
        let result = try PLCCommand.run(["report", site, "--format", "csv"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "period,location,kwh,source")
        var rows: [String: (Double, String)] = [:]
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",").map(String.init)
            rows[cells[0] + "|" + cells[1]] = (Double(cells[2]) ?? .nan, cells[3])
        }
        return rows
    }

    static func hourLabel(_ hour: Int) -> String { String(format: "2026-03-%02d %02d:00", hour / 24 + 1, hour % 24) }

    @Test("kWh per location per hour: the counter, spread over gaps, a reset's interval lost; power for a whole-kWh counter")
    func hourly() throws {
        let rows = try Self.csvRows(["--by", "hour"])
        #expect(rows.count == 3 * 72)
        for name in GeneratedSite.names {
            let usesPower = name == "Aircon"
            let expected = GeneratedSite.expectedHours(name, power: usesPower)
            for hour in 0..<72 {
                let row = try #require(rows[Self.hourLabel(hour) + "|" + name], "no row for \(name) at \(Self.hourLabel(hour))")
                #expect(abs(row.kwh - expected[hour]) <= 0.0005, "\(name) \(Self.hourLabel(hour)): \(row.kwh), expected \(expected[hour])")
                #expect(row.source == (usesPower ? "power" : "counter"))
            }
        }
        // The spread is visible: Office's delta over the gap 10:00-11:30 (13.2 kW for an hour, then
        // 14.4 kW for half an hour) goes two thirds to hour 10, one third to hour 11.
        let office = GeneratedSite.expectedHours("Office", power: false)
        #expect(abs(office[10] - (13.2 + 7.2) * 2 / 3) < 1e-9)
        #expect(abs(office[11] - (13.2 + 7.2) / 3 - 14.4 / 2) < 1e-9)
    }

    @Test("kWh per location per day, and --from/--to are inclusive local dates that still see a gap across midnight")
    func daily() throws {
        let rows = try Self.csvRows(["--by", "day"])
        #expect(rows.count == 9)
        for name in GeneratedSite.names {
            let expected = GeneratedSite.expectedHours(name, power: false)
            for day in 0..<3 {
                let want = expected[(day * 24)..<(day * 24 + 24)].reduce(0, +)
                let row = try #require(rows[String(format: "2026-03-%02d", day + 1) + "|" + name])
                #expect(abs(row.kwh - want) <= 0.0005, "\(name) day \(day + 1): \(row.kwh), expected \(want)")
                #expect(row.source == "counter")
            }
        }
        let one = try Self.csvRows(["--by", "day", "--from", "2026-03-02", "--to", "2026-03-02"])
        #expect(Set(one.keys) == ["2026-03-02|Aircon", "2026-03-02|Office", "2026-03-02|Production"])
        #expect(one["2026-03-02|Office"]?.kwh == rows["2026-03-02|Office"]?.kwh)
        let month = try Self.csvRows(["--by", "month"])
        let officeTotal = GeneratedSite.expectedHours("Office", power: false).reduce(0, +)
        #expect(abs((month["2026-03|Office"]?.kwh ?? 0) - officeTotal) <= 0.0005)
    }

    /// The report as JSON.
    static func json(_ arguments: [String] = []) throws -> [String: Any] {
        let result = try PLCCommand.run(["report", site, "--format", "json", "--by", "hour"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test("peak demand, the top location per hour of day, and data quality")
    func summaries() throws {
        let report = try Self.json()
        let locations = try #require(report["locations"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: locations.map { ($0["name"] as? String ?? "", $0) })
        #expect(byName["Production"]?["peakKW"] as? Double == 20.4)
        #expect(byName["Aircon"]?["peakKW"] as? Double == 3.6)
        #expect(byName["Office"]?["missing"] as? Int == 25)
        #expect(byName["Office"]?["readings"] as? Int == 3 * 288 - 25)
        #expect(byName["Production"]?["missing"] as? Int == 0)
        #expect(byName["Production"]?["rejected"] as? Int == 1)
        #expect(byName["Production"]?["resets"] as? Int == 1)
        #expect(byName["Aircon"]?["intervalSeconds"] as? Int == 300)
        let top = try #require(report["topByHour"] as? [[String: Any]])
        #expect(top.count == 24)
        for entry in top {
            let hour = try #require(entry["hour"] as? Int)
            let sums = GeneratedSite.names.map { name in
                let hours = GeneratedSite.expectedHours(name, power: name == "Aircon")
                return (name, hours[hour] + hours[hour + 24] + hours[hour + 48])
            }
            let best = sums.max { $0.1 < $1.1 }!
            #expect(entry["location"] as? String == best.0, "hour \(hour)")
            #expect(abs((entry["kwh"] as? Double ?? 0) - best.1) <= 0.0005, "hour \(hour)")
        }
    }

    @Test("a malformed CSV line exits 2 with one line naming the file, line and problem", arguments: [
        ("2026-03-01 00:00:00,1,2\n", ":2: expected 2 columns, found 3"),
        ("2026-03-01 25:00:00,1\n", ":2: '2026-03-01 25:00:00' is not a timestamp YYYY-MM-DD HH:MM:SS"),
        ("2026-03-01 00:00:00,12kWh\n", ":2: column total_real_energy: '12kWh' is not a number"),
    ])
    func badCSV(line: String, message: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-report-bad-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Office"), withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("Office/energy_2026-03-01.csv")
        try ("timestamp,total_real_energy\n" + line).write(to: file, atomically: true, encoding: .utf8)
        let result = try PLCCommand.run(["report", dir.path])
        #expect(result.status == 2)
        #expect(result.stderr == file.path + message + "\n")
        let none = try PLCCommand.run(["report", dir.path, "--from", "2026-02-30"])
        #expect(none.status == 2)
        #expect(none.stderr == "plc report: --from '2026-02-30' is not a date YYYY-MM-DD\n")
    }

    /// Runs headless Chromium (Debian's package) on `url` with `arguments`.
    static func chromium(_ arguments: [String], _ url: String) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"] + arguments + [url]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("the SVG heatmap and the HTML page render in headless Chromium and show every location")
    func chromiumRendersThePage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-report-page-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let svg = dir.appendingPathComponent("heatmap.svg").path, html = dir.appendingPathComponent("report.html").path
        let result = try PLCCommand.run(["report", Self.site, "--by", "day", "--svg", svg, "--html", html])
        #expect(result.status == 0, "\(result.stderr)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(!page.contains("<script") && !page.contains("src=") && !page.contains("href="), "the page must be self-contained")
        let dom = try Self.chromium(["--dump-dom"], "file://" + html)
        #expect(dom.status == 0)
        #expect(dom.stdout.contains("<svg"))
        #expect(dom.stdout.components(separatedBy: "<rect").count - 1 >= 3 * 24)
        for name in GeneratedSite.names {
            #expect(dom.stdout.contains("class=\"location\">\(name)</text>"), "\(name) is not in the heatmap")
            #expect(dom.stdout.contains("<td>\(name)</td>"), "\(name) is not in the tables")
        }
        let svgDom = try Self.chromium(["--dump-dom"], "file://" + svg)
        #expect(svgDom.status == 0)
        for name in GeneratedSite.names { #expect(svgDom.stdout.contains(">\(name)</text>")) }
        let png = dir.appendingPathComponent("shot.png").path
        let shot = try Self.chromium(["--screenshot=" + png, "--window-size=1100,700"], "file://" + html)
        #expect(shot.status == 0)
        let image = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(image.count > 10_000, "the screenshot is almost empty: \(image.count) bytes")
    }
}
