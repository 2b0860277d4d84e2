import Foundation
import PLCApp
import PLCCore
import PLCGraph
import PLCHttp
import PLCRuntime
import Testing

@Suite("Dashboard: snapshot, metrics text, energy totals")
struct DashboardTests {
    /// A program with one Display (the location "Office") fed by a variable and constants.
    static func program(valid: Bool) throws -> CompiledProgram {
        try compile("""
            program: dash
            variables:
              - {scope: VAR, name: Site, type: STRING, initial: 'plant "A"', comment: site label}
              - {scope: VAR, name: Volts, type: LREAL, initial: 229.74, comment: a voltage}
            blocks:
              - name: show
                type: Display
                inputs:
                  xExecute: FALSE
                  sTitle: 'Office'
                  sColumns: 'voltage_l1, current_l1'
                  sUnits: 'V,A'
                  xValid: \(valid ? "TRUE" : "FALSE")
                  sStatus: 'Error reading registers 4000-4045 from slave 1: timeout'
                  tAge: T#1500ms
                  alrValues[0]: Volts
                  alrValues[1]: 10.2504
                  auiDecimals: '[1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]'
              - name: log
                type: CSVLogger
                inputs:
                  xExecute: FALSE
                  sFolder: 'csv/office'
                  sPrefix: 'energy'
                  sColumns: 'voltage_l1,total_real_energy'
            """)
    }

    static func snapshot(valid: Bool) throws -> RuntimeSnapshot {
        let program = try program(valid: valid)
        program.scan(ScanContext(time: 0))
        return SnapshotBuilder(program: program, task: program.file.task, workers: []).build(statistics: CycleStatistics())
    }

    @Test("a Display block is a location: values rounded to their decimals, units, quality, age")
    func location() throws {
        let s = try Self.snapshot(valid: true)
        #expect(s.program == "dash")
        #expect(s.site == "plant \"A\"")
        let office = try #require(s.locations.first)
        #expect(s.locations.count == 1)
        #expect(office.name == "Office" && office.instance == "show")
        #expect(office.state == .ok && office.error.isEmpty && office.ageMs == 1500)
        #expect(office.values.map(\.name) == ["voltage_l1", "current_l1"])
        #expect(office.values.map(\.unit) == ["V", "A"])
        #expect(office.values.map(\.text) == ["229.7", "10.250"])
        #expect(office.values.map(\.value) == [229.7, 10.25])
        #expect(office.values.allSatisfy { $0.quality == .ok })
        #expect(s.energySources == [EnergySource(location: "Office", folder: "csv/office", prefix: "energy", column: "total_real_energy")])
    }

    @Test("without a Display block, each meter reader is a location, named by its sLocation (site_main)")
    func meterReaders() throws {
        var file = try ProgramLoader.load(Fixtures.programs.appendingPathComponent("site_main").path,
                                          enums: Fixtures.library.enumerations)
        let dir = NSTemporaryDirectory() + "plc-readers-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try file.apply(set: "ErrorLogFile=\(dir)/site_logger.log")
        try file.apply(set: "CsvFolder=\(dir)/csv")
        let runtime = try RuntimeAssembly(file: file, library: Fixtures.library, simulate: true)
        defer { runtime.stop() }
        runtime.program.scan(ScanContext(time: 0))
        let s = SnapshotBuilder(program: runtime.program, task: file.task, workers: []).build(statistics: CycleStatistics())
        #expect(s.locations.map(\.name) == ["Office", "Production", "Aircon"])
        #expect(s.locations.map(\.instance) == ["office.meter", "production.meter", "aircon.meter"])   // inside each Location FB
        let office = try #require(s.locations.first)
        #expect(office.values.map(\.name).prefix(3) == ["voltage_l12", "voltage_l23", "voltage_l31"], "\(office.values.map(\.name))")
        #expect(office.state == .error, "no poll has ended yet")
        // The Energy page names each location's CSV folder as SQL rows and plc report do, not by
        // the logger's instance inside the Location block (office.csv).
        #expect(s.energySources.map(\.location) == ["Office", "Production", "Aircon"], "\(s.energySources.map(\.location))")
    }

    @Test("a failed source is an error with its text, and no value is shown as good")
    func failedSource() throws {
        let office = try #require(try Self.snapshot(valid: false).locations.first)
        #expect(office.state == .error)
        #expect(office.error == "Error reading registers 4000-4045 from slave 1: timeout")
        #expect(office.values.allSatisfy { $0.quality == .none && $0.value == nil && $0.text == "-" })
    }

    @Test("the online view holds every program variable and every pin, with type, value and comment")
    func online() throws {
        let s = try Self.snapshot(valid: true)
        #expect(s.instances.map(\.name) == ["", "show", "log"])
        let volts = try #require(s.instances[0].pins.first { $0.name == "Volts" })
        #expect(volts.type == .lreal && volts.text == "229.74" && volts.comment == "a voltage")
        let title = try #require(s.instances[1].pins.first { $0.name == "sTitle" })
        #expect(title.text == "'Office'" && title.scope == .input)
        #expect(s.instances[1].pins.count == 11)
        #expect(s.instances[1].type == "Display" && s.instances[2].type == "CSVLogger")
    }

    @Test("metrics: one HELP and TYPE per family, site/location/quantity labels, escaped label values")
    func metrics() throws {
        var s = try Self.snapshot(valid: true)
        s.cycle.cycles = 7
        s.cycle.total = 1_500_000
        let text = MetricsText.render(s, requests: 3)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains(#"plc_value{site="plant \"A\"",location="Office",quantity="voltage_l1",unit="V"} 229.7"#))
        #expect(lines.contains(#"plc_value{site="plant \"A\"",location="Office",quantity="current_l1",unit="A"} 10.25"#))
        #expect(lines.contains(#"plc_scan_duration_seconds_count{site="plant \"A\""} 7"#))
        #expect(lines.contains(#"plc_scan_duration_seconds_sum{site="plant \"A\""} 0.0015"#))
        #expect(lines.contains(#"plc_http_requests_total{site="plant \"A\""} 3"#))
        let types = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(Set(types).count == types.count)
        #expect(lines.filter { $0.hasPrefix("# HELP ") }.count == types.count)
        // Every sample belongs to the family declared last before it.
        var family = ""
        for line in lines {
            if line.hasPrefix("# TYPE ") { family = String(line.split(separator: " ")[2]) }
            else if !line.hasPrefix("#") { #expect(line.hasPrefix(family), "\(line) outside \(family)") }
        }
    }

    @Test("HttpListen: HOST:PORT, a bare port on loopback, IPv6 in brackets; anything else a clear error",
          arguments: [("127.0.0.1:8080", "127.0.0.1:8080"), ("8080", "127.0.0.1:8080"), ("localhost:81", "127.0.0.1:81"),
                      ("0.0.0.0:9000", "0.0.0.0:9000"), ("[::1]:8080", "[::1]:8080"), (":0", "127.0.0.1:0")])
    func listen(text: String, expected: String) throws {
        #expect(try ListenAddress(text).description == expected)
    }

    @Test("HttpListen errors name the tunable", arguments: ["127.0.0.1", "host:80", "1.2.3:80", "127.0.0.1:70000", "[::1]8080"])
    func badListen(text: String) {
        #expect(throws: SourceError.self) { try ListenAddress(text) }
        do {
            _ = try ListenAddress(text)
        } catch {
            #expect(error.description.hasPrefix("HttpListen '\(text)'"))
        }
    }

    @Test("the box publishes only while a client asks, at most once per interval")
    func box() throws {
        let box = SnapshotBox(interval: 100, idle: 1_000)
        // Nobody asked: the scan's check does not even read the clock.
        // (Outside #expect, which evaluates arguments itself.)
        let before = box.wantsSnapshot(now: { Issue.record("the clock was read with no client"); return 5_000 }())
        #expect(!before)
        _ = box.latest(now: 5_000)
        #expect(box.wantsSnapshot(now: 5_010))
        var s = try Self.snapshot(valid: true)
        s.monotonic = 5_010
        box.publish(s)
        #expect(!box.wantsSnapshot(now: 5_050))
        #expect(box.wantsSnapshot(now: 5_110))
        #expect(!box.wantsSnapshot(now: 6_100))      // nobody asked for 1 µs: idle
        let after = box.wantsSnapshot(now: { Issue.record("the clock was read after the client left"); return 6_200 }())
        #expect(!after)
        #expect(box.latest(now: 6_300)?.program == "dash")
        #expect(box.wantsSnapshot(now: 6_310))
        #expect(box.publishedCount == 1)
    }

    @Test("energy today and this month by the report's rule: a delta spread over its interval, a reset counts nothing")
    func energy() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-energy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ date: String, _ rows: [(String, String)], prefix: String = "rx380_data") throws {
            let text = "timestamp,voltage_l1,total_real_energy\n" + rows.map { "\(date) \($0.0),230.0,\($0.1)\n" }.joined()
            try text.write(to: dir.appendingPathComponent("\(prefix)_\(date).csv"), atomically: true, encoding: .utf8)
        }
        try file("2026-10-31", [("23:55:00", "90")])                                   // the month's baseline
        try file("2026-11-01", [("00:00:00", "100"), ("12:00:00", ""), ("23:55:00", "130")])
        try file("2026-11-02", [("00:00:00", "131"), ("08:00:00", "5"), ("09:00:00", "12")])   // meter swapped at 08:00
        try file("2026-11-03", [("00:00:00", "20")])                                   // closes the gap from 09:00
        try file("2026-11-02", [("00:00:00", "999")], prefix: "other")                 // another prefix: ignored
        let reader = EnergyReader()
        let totals = reader.totals([EnergySource(location: "Office", folder: dir.path, prefix: "rx380_data", column: "total_real_energy")],
                                   now: Date(timeIntervalSince1970: 1_793_620_800),      // 2026-11-02 12:00 UTC
                                   timeZone: TimeZone(identifier: "UTC")!)
        let t = try #require(totals.first)
        #expect(t.location == "Office")
        // docs/report.md: a delta is spread linearly over the time between two good readings, and the
        // nearest file after the range carries a gap's energy into it. 90 -> 100 (10-31 23:55 -> 11-01
        // 00:00) lies in October; 130 -> 131 (11-01 23:55 -> 11-02 00:00) in November 1st; the drop to
        // 5 at 08:00 is a meter swap confirmed at 09:00 (5 -> 12 counts 7); 12 -> 20 (09:00 -> 11-03
        // 00:00) lies in November 2nd.
        func rounded(_ kwh: Double?) -> Double? { kwh.map { ($0 * 1000).rounded() / 1000 } }
        #expect(t.days.map { EnergyTotals.Day(date: $0.date, kwh: rounded($0.kwh)!) }
                == [.init(date: "2026-11-01", kwh: 31), .init(date: "2026-11-02", kwh: 15)])
        #expect(rounded(t.today) == 15 && rounded(t.month) == 46)
    }

    @Test("a folder of location sub-folders gives one total per location; an appended row is seen")
    func energyLocations() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-energy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (location, rows) in [("Office", "10\n12\n"), ("Aircon", "500\n530\n")] {
            let folder = dir.appendingPathComponent(location)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let lines = rows.split(separator: "\n").enumerated().map { "2026-11-02 0\($0.offset):00:00,\($0.element)\n" }.joined()
            try ("timestamp,total_real_energy\n" + lines).write(to: folder.appendingPathComponent("energy_2026-11-02.csv"),
                                                                atomically: true, encoding: .utf8)
        }
        let reader = EnergyReader()
        let source = EnergySource(location: "site", folder: dir.path, prefix: "energy", column: "total_real_energy")
        let noon = Date(timeIntervalSince1970: 1_793_620_800)      // 2026-11-02 12:00 UTC
        let utc = TimeZone(identifier: "UTC")!
        #expect(reader.totals([source], now: noon, timeZone: utc).map { "\($0.location) \($0.today ?? -1)" } == ["Aircon 30.0", "Office 2.0"])
        let office = dir.appendingPathComponent("Office/energy_2026-11-02.csv")
        let handle = try FileHandle(forWritingTo: office)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("2026-11-02 05:00:00,19\n".utf8))
        try handle.close()
        #expect(reader.totals([source], now: noon, timeZone: utc).map { "\($0.location) \($0.today ?? -1)" } == ["Aircon 30.0", "Office 9.0"])
    }
}
