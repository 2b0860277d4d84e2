import Foundation
import PLCMeters
import PLCModbus
import Testing

/// `plc export st programs/site_main` (the FBD program: one `Location` function block per meter):
/// the PROGRAM, `Location` as a FUNCTION_BLOCK and the meter models as the constant table of the
/// generic `MeterRead` pass `plc check-st`, and `plc run --twin` writes the cells the Swift program
/// writes, both over one frozen simulator (three meters, two models), side by side.
@Suite("site_main: exported with its Location FB and meter table, the ST run writes the Swift run's cells", .serialized)
struct SiteMainTwinTests {
    static let program = "programs/site_main"
    /// The files `plc export st programs/site_main` writes, committed in st-reference/.
    static let exportedFiles = ["Location.st", "site_main.st", "GVL_MeterModels.st"]

    static func scratch(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// st-reference/ plus the export of `program` (site_main unless named), in a scratch folder.
    static func exported(_ program: String = SiteMainTwinTests.program) throws -> URL {
        let folder = try scratch("site-st")
        let reference = PLCCommand.root.appendingPathComponent("st-reference")
        for name in try FileManager.default.contentsOfDirectory(atPath: reference.path) where name.hasSuffix(".st") {
            try FileManager.default.copyItem(at: reference.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let export = try PLCCommand.run(["export", "st", program, "--output", folder.path])
        #expect(export.status == 0, "\(export.stderr)")
        return folder
    }

    @Test("the export writes Location as a FUNCTION_BLOCK, the models as MeterRead's table, and passes plc check-st")
    func exportChecks() throws {
        let folder = try Self.exported()
        defer { try? FileManager.default.removeItem(at: folder) }
        let main = try String(contentsOf: folder.appendingPathComponent("site_main.st"), encoding: .utf8)
        // One Location per meter, the bus and its response timeout passed in, the model a constant input.
        #expect(main.contains("office : Location;") && main.contains("aircon : Location;"), "\(main)")
        #expect(main.contains("office(rClient := rs485, ") && main.contains("sModel := 'sdm630'"), "\(main)")
        let location = try String(contentsOf: folder.appendingPathComponent("Location.st"), encoding: .utf8)
        #expect(location.contains("FUNCTION_BLOCK Location") && location.contains("VAR_IN_OUT\n    rClient : ModbusFB.Client;"))
        #expect(location.contains("meter(rClient := rClient, xExecute := xPoll, sModel := sModel, "), "\(location)")
        let table = try String(contentsOf: folder.appendingPathComponent("GVL_MeterModels.st"), encoding: .utf8)
        #expect(table.contains("gc_iMeterModels : INT := 2;") && table.contains("(sName := 'rx380', iGroups := 1,")
                && table.contains("(sName := 'sdm630', iGroups := 2,"), "\(table)")
        let check = try PLCCommand.run(["check-st", folder.path])
        #expect(check.status == 0, "\(check.stderr)")
        // st-reference/ holds this export: `plc run programs/site_main --twin` runs it.
        for name in Self.exportedFiles {
            let committed = try String(contentsOf: PLCCommand.root.appendingPathComponent("st-reference/\(name)"), encoding: .utf8)
            let fresh = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(committed == fresh, "st-reference/\(name) is stale: plc export st programs/site_main --output st-reference")
        }
    }

    @Test("a block without an ST twin or library mapping stops the export: exit 2 naming instance and type")
    func exportRefusesABlockWithoutTwin() throws {
        let reference = try Self.scratch("site-ref")
        defer { try? FileManager.default.removeItem(at: reference) }
        // A reference folder without CSVLogger.st: the twin of the type of Location's csv is missing.
        let source = PLCCommand.root.appendingPathComponent("st-reference")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name.hasSuffix(".st") && name != "CSVLogger.st" {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: reference.appendingPathComponent(name))
        }
        let export = try PLCCommand.run(["export", "st", Self.program, "--st-reference", reference.path])
        #expect(export.status == 2)
        #expect(export.stderr.contains("Location.yaml: block 'csv' of type 'CSVLogger' has no Structured Text twin"), "\(export.stderr)")
    }

    /// The rows of `<dir>/csv/<location>/energy_*.csv` by timestamp (header and empty rows left out).
    static func rows(_ dir: URL, _ location: String) -> [String: String] {
        let folder = dir.appendingPathComponent("csv/\(location)")
        var result: [String: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            let text = (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n").dropFirst() where line.count > 20 {
                let cells = String(line.dropFirst(20))
                if cells.contains(where: { $0 != "," }) { result[String(line.prefix(19))] = cells }
            }
        }
        return result
    }

    @Test("plc run --twin writes the same cells as the Swift run, for each location")
    func sameCells() throws {
        // The committed export (st-reference/), as `plc run programs/site_main --twin` runs it.
        let folder = PLCCommand.root.appendingPathComponent("st-reference")
        let catalog = MeterCatalog.standard(near: PLCCommand.root.appendingPathComponent(Self.program).path)
        let rx380 = try catalog.load("rx380"), sdm630 = try catalog.load("sdm630")
        let simulator = ModbusSimulator(devices: [1: SimulatedMeter(model: rx380, slave: 1), 2: SimulatedMeter(model: rx380, slave: 2),
                                                  3: SimulatedMeter(model: sdm630, slave: 3)], frozen: true)
        let port = try simulator.startTCP()
        defer { simulator.stop() }
        let program = PLCCommand.root.appendingPathComponent(Self.program).path
        try Self.expectSameCells(program: program, st: folder.path, bus: Self.tcp(port), locations: ["Office", "Production", "Aircon"])
    }

    /// The `--set` arguments that point the program's bus (or its bus `name`) at a TCP simulator on loopback.
    static func tcp(_ port: Int, bus name: String? = nil) -> [String] {
        let prefix = "bus." + (name.map { $0 + "." } ?? "")
        return ["--set", prefix + "kind=tcp", "--set", prefix + "host=127.0.0.1", "--set", prefix + "port=\(port)"]
    }

    /// Runs `program` and its ST twin from `st` side by side, their bus settings `bus` (see `tcp`),
    /// LogInterval 1 s, PollInterval 300 ms, until both wrote `rows` rows for every location (60 s at
    /// most), then expects every row with the same timestamp to hold the same 13 cells; returns the
    /// twin's rows by location.
    @discardableResult
    static func expectSameCells(program: String, st: String, bus: [String], locations: [String], rows: Int = 3) throws -> [String: [String: String]] {
        let common = bus + ["--set", "LogInterval=T#1s", "--set", "PollInterval=T#300ms"]
        let swiftDir = try Self.scratch("site-swift"), twinDir = try Self.scratch("site-twin")
        defer {
            try? FileManager.default.removeItem(at: swiftDir)
            try? FileManager.default.removeItem(at: twinDir)
        }
        let swift = try BackgroundProcess(PLCCommand.executable.path, ["run", program] + common, directory: swiftDir)
        let twin = try BackgroundProcess(PLCCommand.executable.path, ["run", program, "--twin", "--st", st] + common,
                                         directory: twinDir)
        // A row a second once the meters answered; both sides write on the same wall-clock seconds.
        func shared(_ location: String) -> Int { Set(Self.rows(swiftDir, location).keys).intersection(Self.rows(twinDir, location).keys).count }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && locations.contains(where: { shared($0) < rows }) {
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(swift.stop(signal: SIGTERM) == 0, "\(swift.errorOutput.suffix(5))")
        #expect(twin.stop(signal: SIGTERM) == 0, "\(twin.errorOutput.suffix(5))")
        var result: [String: [String: String]] = [:]
        for location in locations {
            let a = Self.rows(swiftDir, location), b = Self.rows(twinDir, location)
            let times = Set(a.keys).intersection(b.keys).sorted()
            #expect(times.count >= rows, "\(location): swift \(a), twin \(b)")
            for time in times {
                #expect(a[time] == b[time], "\(location) \(time): swift \(a[time] ?? "-"), twin \(b[time] ?? "-")")
                #expect(a[time]?.split(separator: ",", omittingEmptySubsequences: false).count == 13)
            }
            result[location] = b
        }
        return result
    }

    @Test("plc run --twin prints the Display's table on stdout each time the twin renders one")
    func twinPrintsTheDisplayTable() throws {
        let dir = try Self.scratch("twin-display")
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = PLCCommand.root.appendingPathComponent("programs/rx380_main").path
        let st = PLCCommand.root.appendingPathComponent("st-reference").path
        let twin = try BackgroundProcess(PLCCommand.executable.path,
                                         ["run", program, "--twin", "--st", st, "--simulate", "--set", "DisplayInterval=T#1s",
                                          "--set", "PollInterval=T#300ms"], directory: dir)
        let heading = twin.waitForLine(timeout: 30) { $0.contains("data ok") }
        let row = twin.waitForLine(timeout: 10) { $0.contains("voltage_l12") }
        #expect(twin.stop(signal: SIGTERM) == 0, "\(twin.errorOutput.suffix(5))")
        #expect(heading != nil, "\(twin.output.prefix(20))")
        #expect(row?.contains("V") == true, "\(twin.output.prefix(20))")
    }
}
