import Foundation
import Testing

/// Online change against a real `plc run` of a copy of programs/site_main on the built-in simulator:
/// the copy is edited while it runs and loaded with `plc online URL reload`.
@Suite(.serialized) struct OnlineChangeTests {
    /// A location block as site_main declares one.
    static func location(_ name: String, _ title: String, unit: Int, csvFolder: String = "CsvFolder") -> String {
        """
          - name: \(name)
            type: Location
            inputs: {xPoll: pollTimer.Q, xLog: logPulse.Q, sModel: 'sdm630', uiUnitId: \(unit), sLocation: '\(title)',
                     sCsvFolder: \(csvFolder), sLogFile: ErrorLogFile}

        """
    }

    /// The CSV rows' times (seconds of the day) of one location, in file order.
    static func rowSeconds(_ folder: URL, _ location: String) throws -> [Int] {
        let dir = folder.appendingPathComponent(location)
        var seconds: [Int] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where name.hasSuffix(".csv") {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n").dropFirst() {
                let time = line.prefix(19).suffix(8).split(separator: ":").compactMap { Int($0) }
                if time.count == 3 { seconds.append(time[0] * 3600 + time[1] * 60 + time[2]) }
            }
        }
        return seconds
    }

    /// Waits until `location` has more than `count` rows; the rows.
    static func waitForRows(_ folder: URL, _ location: String, moreThan count: Int, timeout: TimeInterval = 30) -> [Int] {
        let deadline = Date().addingTimeInterval(timeout)
        var rows: [Int] = []
        while Date() < deadline {
            rows = (try? rowSeconds(folder, location)) ?? []
            if rows.count > count { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return rows
    }

    /// A fresh folder holding a copy of programs/site_main: the folder, the copy, its CSV folder
    /// and its program.yaml.
    static func siteMainCopy(_ name: String) throws -> (dir: URL, program: URL, csv: URL, programFile: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-\(name)-\(UUID().uuidString.prefix(8))")
        let program = dir.appendingPathComponent("site_main")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: PLCCommand.root.appendingPathComponent("programs/site_main"), to: program)
        return (dir, program, dir.appendingPathComponent("csv"), program.appendingPathComponent("program.yaml"))
    }

    @Test func addALocationAndChangeLogIntervalWhileRunning() throws {
        let users = try OnlineModeTests.usersFile()
        let (dir, program, csv, programFile) = try Self.siteMainCopy("change")
        // One row a second, so the test sees many; the timer runs T#2s intervals.
        let original = try String(contentsOf: programFile, encoding: .utf8)
            .replacingOccurrences(of: "initial: T#5m, online: write", with: "initial: T#1s, online: write")
        try original.write(to: programFile, atomically: true, encoding: .utf8)
        let port = freePort()
        let run = try BackgroundProcess(PLCCommand.executable.path, [
            "run", program.path, "--simulate", "--set", "HttpListen=127.0.0.1:\(port)", "--set", "UsersFile=\(users)",
            "--set", "CsvFolder=\(csv.path)", "--set", "ErrorLogFile=\(dir.path)/site.log", "--monitor", "pollTimer.ET,LogInterval",
        ])
        defer { _ = run.stop(signal: SIGINT) }
        guard run.waitForErrorLine(timeout: 60, { $0.contains("dashboard on http://") }) != nil else {
            Issue.record("no dashboard: \(run.errorOutput.suffix(5))")
            return
        }
        let url = "http://127.0.0.1:\(port)"
        func reload(_ user: String = "erik") throws -> PLCCommand.Result {
            try PLCCommand.run(["online", url, "--user", user, "reload"], environment: ["PLC_PASSWORD": "\(user)-password"])
        }
        _ = Self.waitForRows(csv, "Office", moreThan: 1)

        // An operator may not load a change.
        let operatorReload = try reload("olga")
        #expect(operatorReload.status == 1 && operatorReload.stderr.contains("only an engineer may load an online change"))

        // A fourth location, and LogInterval's initial value changed: the running value stays (Codesys's rule).
        let withWorkshop = original.replacingOccurrences(of: "initial: T#1s, online: write", with: "initial: T#2s, online: write")
            + Self.location("workshop", "Workshop", unit: 3)
        try withWorkshop.write(to: programFile, atomically: true, encoding: .utf8)
        let added = try reload()
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("online change: 7 blocks added, 0 removed, 23 kept, 0 reset"), "\(added.stdout)")
        #expect(!Self.waitForRows(csv, "Workshop", moreThan: 1).isEmpty, "the added location never logged")
        let values = try OnlineModeTests.programValues(port)
        #expect(values["LogInterval"] == "T#1s", "\(values)")

        // A type error: refused with file:line, the old program keeps logging.
        try (withWorkshop + Self.location("garage", "Garage", unit: 3, csvFolder: "PollInterval"))
            .write(to: programFile, atomically: true, encoding: .utf8)
        let typeError = try reload()
        #expect(typeError.status == 1)
        #expect(typeError.stderr.contains("program.yaml:") && typeError.stderr.contains("type mismatch"), "\(typeError.stderr)")
        let before = try Self.rowSeconds(csv, "Office").count
        #expect(Self.waitForRows(csv, "Office", moreThan: before + 1).count > before + 1, "the old program stopped logging")

        // A block type changed under the same name: refused, as Codesys asks for a full download.
        try withWorkshop.replacingOccurrences(of: "type: TON", with: "type: TOF").write(to: programFile, atomically: true, encoding: .utf8)
        let typeChange = try reload()
        #expect(typeChange.status == 1)
        #expect(typeChange.stderr.contains("program.yaml:") && typeChange.stderr.contains("block pollTimer changed its type from TON to TOF"),
                "\(typeChange.stderr)")

        // A kept meter's model changed: refused (it reads with the register map it started with).
        try withWorkshop.replacingOccurrences(of: "sModel: 'rx380', uiUnitId: 2", with: "sModel: 'sdm630', uiUnitId: 2")
            .write(to: programFile, atomically: true, encoding: .utf8)
        let modelChange = try reload()
        #expect(modelChange.status == 1 && modelChange.stderr.contains("its meter model changed from rx380 to sdm630"), "\(modelChange.stderr)")

        // The location removed again: its logger hands over its rows and stops.
        try original.write(to: programFile, atomically: true, encoding: .utf8)
        let removed = try reload()
        #expect(removed.stdout.contains("online change: 0 blocks added, 7 removed, 23 kept, 0 reset"), "\(removed.stdout) \(removed.stderr)")

        // LogInterval written online: rows every 2 s from the next multiple on.
        let written = try PLCCommand.run(["online", url, "--user", "erik", "write", "LogInterval", "T#2s"],
                                         environment: ["PLC_PASSWORD": "erik-password"])
        #expect(written.status == 0, "\(written.stderr)")
        let count = try Self.rowSeconds(csv, "Office").count
        _ = Self.waitForRows(csv, "Office", moreThan: count + 2)
        #expect(run.stop(signal: SIGINT) == 0)

        // No row of the other locations missing or doubled: one a second, then one every 2 s.
        for location in ["Office", "Production", "Aircon"] {
            let rows = try Self.rowSeconds(csv, location)
            let steps = zip(rows, rows.dropFirst()).map { $1 - $0 }
            #expect(rows.count > 6 && steps.allSatisfy { $0 == 1 || $0 == 2 } && steps == steps.sorted() && steps.last == 2,
                    "\(location): \(steps)")
        }
        // The timer kept its elapsed time through every swap: ET only grows, back to 0 only after PT.
        let elapsed = run.output.filter { $0.first?.isNumber == true }.compactMap { row -> Int? in
            let cells = row.split(separator: ",")
            guard cells.count == 4 else { return nil }
            return Int(cells[2].dropFirst(2).dropLast(2))
        }
        #expect(elapsed.count > 50)
        let resets = zip(elapsed, elapsed.dropFirst()).filter { $1 < $0 && $0 < 2000 }
        #expect(resets.isEmpty, "the timer restarted mid-interval: \(resets)")
        // The error log names each change and each refusal.
        let log = try String(contentsOf: dir.appendingPathComponent("site.log"), encoding: .utf8)
        #expect(log.contains("INFO - online change: 7 blocks added, 0 removed, 23 kept, 0 reset (erik (engineer) from 127.0.0.1)"))
        #expect(log.contains("INFO - online change: 0 blocks added, 7 removed, 23 kept, 0 reset"))
        #expect(log.contains("online: erik (engineer) from 127.0.0.1: online change refused:") && log.contains("type mismatch"))
        #expect(log.contains("changed its type from TON to TOF"))
    }

    /// With the runtime's own sinks on (`SqlConnection`, `MqttBroker`), a location added online
    /// gets its forwarder and MQTT client; removed, its client goes offline and its forwarder sends
    /// the rows its logger handed over before it stops.
    @Test(.timeLimit(.minutes(10))) func theRuntimeSinksFollowALocationAddedAndRemoved() throws {
        let pg = try PostgresServer()
        let broker = try MosquittoBroker()
        let sub = try MqttSubscriber(port: broker.port, topic: "plc/#")
        defer { sub.stop() }
        let (dir, program, csv, programFile) = try Self.siteMainCopy("sinks")
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try String(contentsOf: programFile, encoding: .utf8)
        let run = try BackgroundProcess(PLCCommand.executable.path, [
            "run", program.path, "--simulate", "--set", "SqlConnection=\(pg.connection)", "--set", "MqttBroker=127.0.0.1:\(broker.port)",
            "--set", "Site=pi-7", "--set", "CsvFolder=\(csv.path)", "--set", "ErrorLogFile=\(dir.path)/site.log",
            "--set", "PollInterval=T#300ms", "--set", "LogInterval=T#1s",
        ])
        defer { _ = run.stop(signal: SIGINT) }
        func table() -> [String: [(ts: String, energy: String?)]] { (try? SiteMainSqlTests.table(pg.connection)) ?? [:] }
        func good(_ location: String) -> Bool {
            sub.payloads("plc/pi-7/\(location)/state").contains { MqttSinkTests.json($0)?["quality"] as? String == "good" }
        }
        SqlSinkTests.waitUntil(60) { table().keys.sorted() == ["Aircon", "Office", "Production"] && good("Office") }
        #expect(table().keys.sorted() == ["Aircon", "Office", "Production"], "\(run.errorOutput.suffix(5))")

        // Added: rows in PostgreSQL and state on MQTT under its name, with discovery, as the others.
        try (original + Self.location("workshop", "Workshop", unit: 3)).write(to: programFile, atomically: true, encoding: .utf8)
        kill(run.process.processIdentifier, SIGUSR2)
        let added = run.waitForErrorLine(timeout: 30) { $0.contains("online change:") }
        #expect(added?.contains("online change: 7 blocks added, 0 removed, 23 kept, 0 reset (SIGUSR2)") == true, "\(added ?? "")")
        SqlSinkTests.waitUntil(60) { (table()["Workshop"]?.count ?? 0) >= 3 && good("Workshop") }
        #expect((table()["Workshop"]?.count ?? 0) >= 3, "no Workshop rows in PostgreSQL")
        #expect(good("Workshop"), "no good Workshop state on MQTT")
        #expect(sub.payloads("plc/pi-7/Workshop/availability").last == "online")
        let discovery = try MqttSinkTests.retained(port: broker.port, topic: "homeassistant/#")
        #expect(discovery.contains { $0.contains("Workshop") && $0.contains("total_real_energy") }, "\(discovery.prefix(2))")

        // Removed: offline on MQTT, every row its logger wrote is in PostgreSQL once; the others go on.
        try original.write(to: programFile, atomically: true, encoding: .utf8)
        kill(run.process.processIdentifier, SIGUSR2)
        let removed = run.waitForErrorLine(timeout: 30) { $0.contains("7 removed") }
        #expect(removed?.contains("online change: 0 blocks added, 7 removed, 23 kept, 0 reset (SIGUSR2)") == true, "\(removed ?? "")")
        SqlSinkTests.waitUntil(30) { sub.payloads("plc/pi-7/Workshop/availability").last == "offline" }
        #expect(sub.payloads("plc/pi-7/Workshop/availability").last == "offline")
        let officeStates = sub.payloads("plc/pi-7/Office/state").count
        SqlSinkTests.waitUntil(30) { sub.payloads("plc/pi-7/Office/state").count > officeStates + 2 }
        #expect(sub.payloads("plc/pi-7/Office/state").count > officeStates + 2, "Office stopped publishing")
        let written = SiteMainSqlTests.csv(csv.appendingPathComponent("Workshop").path)
        let sent = table()["Workshop"] ?? []
        #expect(written.count >= 3 && sent.map(\.ts) == written.map(\.ts), "CSV \(written.map(\.ts)) against SQL \(sent.map(\.ts))")
        #expect(zip(sent, written).allSatisfy { Double($0.energy ?? "") == Double($1.energy) }, "\(sent) \(written)")
        #expect(run.stop(signal: SIGINT) == 0)
        let log = try String(contentsOf: dir.appendingPathComponent("site.log"), encoding: .utf8)
        #expect(!log.contains(" - ERROR - "), "\(log)")
    }

    @Test func sigusr2LoadsTheEditedFolderAndKeepsTheCounter() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-usr2-\(UUID().uuidString.prefix(8))")
        let program = dir.appendingPathComponent("blinker")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: PLCCommand.root.appendingPathComponent("programs/blinker"), to: program)
        let programFile = program.appendingPathComponent("program.yaml")
        let original = try String(contentsOf: programFile, encoding: .utf8)
            .replacingOccurrences(of: "initial: T#500ms", with: "initial: T#50ms")
        try original.write(to: programFile, atomically: true, encoding: .utf8)
        let state = ["--set", "StateFolder=\(dir.appendingPathComponent("state").path)"]
        let run = try BackgroundProcess(PLCCommand.executable.path, ["run", program.path, "--monitor", "counter.CV,counter.PV"] + state)
        defer { _ = run.stop(signal: SIGINT) }
        guard run.waitForLine(timeout: 60, { $0.hasSuffix(",16#0002,16#0005") }) != nil else {
            Issue.record("the counter never reached 2: \(run.errorOutput.suffix(5))")
            return
        }
        // A changed literal on a kept block applies; a new block starts from its initial values.
        let edited = original.replacingOccurrences(of: "PV: 5", with: "PV: 50")
            .appending("  - name: spare\n    type: CTU\n    retain: true\n    inputs: {CU: Lamp, RESET: FALSE, PV: 1000}\n")
        try edited.write(to: programFile, atomically: true, encoding: .utf8)
        kill(run.process.processIdentifier, SIGUSR2)
        let line = run.waitForErrorLine(timeout: 30) { $0.contains("online change:") }
        #expect(line?.contains("blinker: online change: 1 blocks added, 0 removed, 4 kept, 0 reset (SIGUSR2)") == true, "\(line ?? "")")
        #expect(run.waitForLine(from: run.output.count, timeout: 30, { $0.hasSuffix(",16#0032") }) != nil)
        // A file that does not load: refused with file:line, the program runs on.
        try "program: blinker\ntask: [\n".write(to: programFile, atomically: true, encoding: .utf8)
        kill(run.process.processIdentifier, SIGUSR2)
        let refused = run.waitForErrorLine(timeout: 30) { $0.contains("online change refused") }
        #expect(refused != nil)
        #expect(run.errorOutput.contains { $0.contains("program.yaml:") }, "\(run.errorOutput.suffix(4))")
        let after = run.output.count
        #expect(run.waitForLine(from: after + 20, timeout: 30, { _ in true }) != nil, "the program stopped")
        #expect(run.stop(signal: SIGINT) == 0)
        // The counter counted on through the change: never back to 0.
        let counts = run.output.filter { $0.first?.isNumber == true }.compactMap { Int($0.split(separator: ",")[2].dropFirst(3), radix: 16) }
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $1 >= $0 } && (counts.last ?? 0) > 2, "\(counts.suffix(10))")
        // The retain store followed the change: the added RETAIN block's count is back after a restart.
        try edited.write(to: programFile, atomically: true, encoding: .utf8)
        let restart = try PLCCommand.run(["run", program.path, "--cycles", "1", "--monitor", "spare.CV"] + state)
        let restored = restart.stdout.split(separator: "\n").last.map { String($0.split(separator: ",").last ?? "") }
        #expect(restored != nil && restored != "16#0000", "\(restart.stdout) \(restart.stderr)")
    }
}
