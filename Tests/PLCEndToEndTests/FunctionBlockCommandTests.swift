import Foundation
import PLCApp
import PLCCore
import PLCGraph
import PLCStructuredText
import Testing

/// FBD function blocks through the command line: `plc trace` runs one over vectors, `plc check`
/// shows its table, `--monitor` reaches its inner instances by path.
@Suite("FBD function blocks from the command line")
struct FunctionBlockCommandTests {
    static let fixtures = "Tests/fixtures/fbd"

    @Test("plc trace Pulse vectors.csv --check passes; a wrong expected value fails with file:line, exit 1")
    func traceVectors() throws {
        let ok = try PLCCommand.run(["trace", "Pulse", "\(Self.fixtures)/pulse.csv", "--check"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("ok \(Self.fixtures)/pulse.csv: 18 scans"), "\(ok.stdout)")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-fbd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let vectors = try String(contentsOfFile: PLCCommand.root.appendingPathComponent("\(Self.fixtures)/pulse.csv").path, encoding: .utf8)
        let wrong = vectors.replacingOccurrences(of: "80,T#30ms,TRUE,TRUE,", with: "80,T#30ms,TRUE,FALSE,")
        #expect(wrong != vectors)
        try wrong.write(to: dir.appendingPathComponent("pulse.csv"), atomically: true, encoding: .utf8)
        let bad = try PLCCommand.run(["trace", "Pulse", dir.appendingPathComponent("pulse.csv").path, "--check", "--blocks", Self.fixtures])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("pulse.csv:11: t_ms=80: xQ expected FALSE, got TRUE"), "\(bad.stderr)")
    }

    @Test("plc trace --list names the FBD block; --describe prints its variable table")
    func listAndDescribe() throws {
        let list = try PLCCommand.run(["trace", "--list", "--blocks", Self.fixtures])
        #expect(list.stdout.contains("Pulse       Pulses every tPeriod while xEnable and counts them.  (FBD)"), "\(list.stdout)")
        #expect(list.stdout.contains("TON"))
        let table = try PLCCommand.run(["trace", "Pulse", "--describe", "--blocks", Self.fixtures])
        #expect(table.stdout.contains("VAR_OUTPUT  wCount   WORD  16#0000"), "\(table.stdout)")
    }

    @Test("plc check programs/site_main lists the Location FB with its table and the flattened instances")
    func check() throws {
        let result = try PLCCommand.run(["check", "programs/site_main"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("FUNCTION_BLOCK Location (FBD, programs/site_main/Location.yaml, flattened: 7 blocks)"))
        #expect(result.stdout.contains(" 6. office.csv            CSVLogger"), "\(result.stdout)")
    }

    @Test("a bad meter model or slave passed to a Location instance is reported at the line that passed it")
    func meterErrorsNameTheInstanceLine() throws {
        let source = PLCCommand.root.appendingPathComponent("programs/site_main/program.yaml").path
        let text = try String(contentsOfFile: source, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        let office = try #require(lines.firstIndex { $0.contains("sModel: 'rx380', uiUnitId: 1, sLocation: 'Office'") })
        let production = try #require(lines.firstIndex { $0.contains("uiUnitId: 2, sLocation: 'Production'") })
        lines[office] = lines[office].replacingOccurrences(of: "'rx380'", with: "'nosuch'")
        lines[production] = lines[production].replacingOccurrences(of: "uiUnitId: 2", with: "uiUnitId: 300")
        let dir = try PLCCommand.programFolder(lines.joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: PLCCommand.root.appendingPathComponent("programs/site_main/Location.yaml").path,
                                         toPath: dir + "/Location.yaml")
        let slave = try PLCCommand.run(["check", dir])
        #expect(slave.status == 2)
        #expect(slave.stderr.contains("\(dir)/program.yaml:\(production + 1): production.meter.uiUnitId '300' must be 1 to 247"),
                "\(slave.stderr)")
        lines[production] = lines[production].replacingOccurrences(of: "uiUnitId: 300", with: "uiUnitId: 2")
        try lines.joined(separator: "\n").write(toFile: dir + "/program.yaml", atomically: true, encoding: .utf8)
        let model = try PLCCommand.run(["check", dir])
        #expect(model.status == 2)
        #expect(model.stderr.hasPrefix("\(dir)/program.yaml:\(office + 1): no meter model 'nosuch'"), "\(model.stderr)")
    }

    @Test("--monitor reaches inside an FB instance by path")
    func monitorByPath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-fbd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try PLCCommand.run(["run", "programs/site_main", "--simulate", "--cycles", "30",
                                         "--set", "CsvFolder=\(dir.path)/csv", "--set", "ErrorLogFile=\(dir.path)/log",
                                         "--set", "PollInterval=T#200ms",
                                         "--monitor", "office.meter.udiRequests,aircon.xFault,production.csv.sFolder"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "cycle,t_ms,office.meter.udiRequests,aircon.xFault,production.csv.sFolder", "\(lines.prefix(2))")
        #expect(lines.last?.hasSuffix(",FALSE,'\(dir.path)/csv/Production'") == true, "\(lines.suffix(2))")
        let requests = lines.last.flatMap { Int($0.split(separator: ",")[2]) } ?? 0
        #expect(requests >= 2, "\(lines.suffix(2))")
    }
}

/// `plc export st` of a program using an FBD block: the FUNCTION_BLOCK before the PROGRAM, accepted
/// by `plc check-st`, and the exported PROGRAM run in the ST engine equals the flattened graph.
@Suite("FBD function blocks exported to ST")
struct FunctionBlockExportTests {
    @Test("plc export st writes FUNCTION_BLOCK Pulse and PROGRAM pulses; check-st passes; the engine runs it equal to the graph")
    func exportAndRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-fbd-st-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let export = try PLCCommand.run(["export", "st", FunctionBlockCommandTests.fixtures, "--output", dir.path])
        #expect(export.status == 0, "\(export.stderr)")
        let pulse = try String(contentsOf: dir.appendingPathComponent("Pulse.st"), encoding: .utf8)
        let main = try String(contentsOf: dir.appendingPathComponent("pulses.st"), encoding: .utf8)
        #expect(pulse.contains("FUNCTION_BLOCK Pulse\nVAR_INPUT\n    tPeriod : TIME := T#100ms;") && pulse.hasSuffix("END_FUNCTION_BLOCK\n"), "\(pulse)")
        #expect(pulse.contains("timer(IN := gate, PT := tPeriod);\nxQ := timer.Q;"), "\(pulse)")
        #expect(!pulse.contains("fbScanClock"))
        #expect(main.contains("    fast : Pulse;\n") && main.contains("slow(tPeriod := T#20ms, xEnable := NOT fast.xQ);"), "\(main)")
        // The scan clock the PROGRAM calls, from st-reference/.
        for name in ["ScanClock", "GVL_Scan", "F_LocalTimeMs"] {
            try FileManager.default.copyItem(at: PLCCommand.root.appendingPathComponent("st-reference/\(name).st"),
                                             to: dir.appendingPathComponent("\(name).st"))
        }
        let check = try PLCCommand.run(["check-st", dir.path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        let library = try STLibrary.load(folder: dir.path, root: "pulses")
        let machine = library.makeMachine()
        let twin = try #require(machine.instantiate("pulses"))
        let file = try ProgramLoader.load(PLCCommand.root.appendingPathComponent(FunctionBlockCommandTests.fixtures).path,
                                          enums: BlockLibrary.all.enumerations)
        let graph = try ProgramCompiler.compile(file, library: .all)
        for n in 0..<200 {
            let context = ScanContext(time: Int64(n) * 10, cycle: UInt64(n))
            graph.scan(context)
            twin.execute(context)
            for name in ["FastCount", "SlowCount"] {
                #expect(twin.value(of: name) == graph.value(of: name), "scan \(n): \(name)")
            }
        }
        #expect(graph.value(of: "FastCount") == .int(40), "\(String(describing: graph.value(of: "FastCount")))")
        #expect((graph.value(of: "SlowCount")?.int ?? 0) > 0)
    }

    @Test("plc export plcopen programs/site_main: Location as a FUNCTION_BLOCK POU, the program's CFC with three Location boxes, schema-valid")
    func plcopen() throws {
        let result = try PLCCommand.run(["export", "plcopen", "programs/site_main"])
        #expect(result.status == 0, "\(result.stderr)")
        let xml = result.stdout
        #expect(xml.contains("<pou name=\"Location\" pouType=\"functionBlock\">"))
        for name in ["office", "production", "aircon"] {
            #expect(xml.contains("instanceName=\"\(name)\" localId"), "\(name)")
        }
        #expect(!xml.contains("office.meter") && !xml.contains("\"office.csv\""), "flattened names leaked into the export")
        if CodesysExportTests.schemaAvailable {
            let valid = try CodesysExportTests.validate(xml)
            #expect(valid.ok, "\(valid.output)")
        }
    }
}
