import Foundation
import Testing

/// `plc run programs/rx380_main` end to end, with short intervals, in a scratch folder.
@Suite("programs/rx380_main end to end", .serialized)
struct RX380MainTests {
    /// A scratch working folder with the CSV folder and error log paths the program is pointed at.
    struct Workspace {
        let dir: URL
        var csv: String { dir.appendingPathComponent("csv").path }
        var log: String { dir.appendingPathComponent("rx380_logger.log").path }

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("rx380-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }

        /// The CSV rows (header excluded) of every `.csv` file, in file order (not the SQL cursor beside them).
        func rows() -> [String] {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: csv)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
            return files.flatMap { file -> [String] in
                let text = (try? String(contentsOfFile: csv + "/" + file, encoding: .utf8)) ?? ""
                return text.split(separator: "\n").dropFirst().map(String.init)
            }
        }

        func logLines() -> [String] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    /// Starts rx380_main with the workspace's paths and fast intervals, plus `extra` arguments.
    static func start(_ ws: Workspace, _ extra: [String]) throws -> BackgroundProcess {
        try BackgroundProcess(PLCCommand.executable.path, [
            "run", PLCCommand.root.appendingPathComponent("programs/rx380_main").path,
            "--set", "CsvFolder=\(ws.csv)", "--set", "ErrorLogFile=\(ws.log)",
            "--set", "PollInterval=T#300ms", "--set", "LogInterval=T#1s", "--set", "DisplayInterval=T#2s",
        ] + extra)
    }

    /// The CSV cells the known image must give, after the timestamp.
    static let expectedCells = "398.1,399.5,400.2,229.7,230.1,231.0,10.250,9.875,11.004,-1500,-0.853,50.02,123456"
    static let header = "timestamp,voltage_l12,voltage_l23,voltage_l31,voltage_l1,voltage_l2,voltage_l3,"
        + "current_l1,current_l2,current_l3,total_real_power,total_power_factor,frequency,total_real_energy"

    static func rtuArguments(_ line: SerialLine) -> [String] {
        ["--set", "bus.device=\(line.a)", "--set", "bus.parity=N", "--set", "bus.responseTimeout=T#200ms"]
    }

    @Test("against a pymodbus RTU slave: CSV rows value by value, the display, one request per poll")
    func endToEnd() throws {
        let ws = try Workspace()
        let line = try SerialLine()
        let peer = try ModbusPeer(rtu: line.b, image: MeterImage.registers)
        defer { peer.stop() }
        let plc = try Self.start(ws, Self.rtuArguments(line))
        Thread.sleep(forTimeInterval: 4.5)
        #expect(plc.stop(signal: SIGINT) == 0, "\(plc.errorOutput.suffix(5))")

        let files = try FileManager.default.contentsOfDirectory(atPath: ws.csv)
        #expect(files.count == 1 && files[0].hasPrefix("rx380_data_") && files[0].hasSuffix(".csv"))
        let text = try String(contentsOfFile: ws.csv + "/" + files[0], encoding: .utf8)
        #expect(text.split(separator: "\n").first.map(String.init) == Self.header)
        // A row due before the first reply has arrived has empty cells (no good data yet); from the
        // first good read on, every row carries the image's values.
        let all = ws.rows()
        let rows = Array(all.drop { $0.dropFirst(19) == ",,,,,,,,,,,,," })
        #expect(all.count - rows.count <= 1, "\(all)")
        #expect(rows.count >= 3, "\(all)")
        for row in rows {
            #expect(row.dropFirst(20) == Self.expectedCells[...], "row \(row)")
            #expect(row.prefix(19).count == 19 && row.dropFirst(17).prefix(2).allSatisfy(\.isNumber))
        }
        // Rows land on whole seconds (multiples of LogInterval) and never twice on one.
        let stamps = rows.map { String($0.prefix(19)) }
        #expect(Set(stamps).count == stamps.count)

        // The display: a table with units and qualities.
        let out = plc.output.joined(separator: "\n")
        #expect(out.contains("RX380  "), "\(out)")
        #expect(out.contains("  voltage_l1                 229.7 V     ok"), "\(out)")
        #expect(out.contains("  total_real_power           -1500 W     ok"))
        #expect(out.contains("  total_power_factor        -0.853       ok"))
        #expect(out.contains("  total_real_energy         123456 kWh   ok"))

        // The slave saw whole polls of one request each: 4000-4045 with FC04, nothing else.
        // (The self-resetting TON polls every PollInterval plus one scan: 400 ms here.)
        let requests = peer.requests
        #expect(requests.count >= 8)
        #expect(requests.allSatisfy { $0.function == 4 && $0.address == 4000 && $0.count == 46 })
        #expect(ws.logLines().count == 2 && ws.logLines()[0].hasSuffix(" - INFO - rx380_main started")
                && ws.logLines()[1].hasSuffix(" - INFO - rx380_main stopped"), "\(ws.logLines())")
    }

    @Test("a silent meter: one error line and one recovery line, empty cells meanwhile, the process keeps running")
    func outage() throws {
        let ws = try Workspace()
        let line = try SerialLine()
        let peer = try ModbusPeer(rtu: line.b, image: MeterImage.registers)
        let plc = try Self.start(ws, Self.rtuArguments(line))
        Thread.sleep(forTimeInterval: 2.2)
        peer.stop()                                  // the meter goes silent
        Thread.sleep(forTimeInterval: 3.5)
        let again = try ModbusPeer(rtu: line.b, image: MeterImage.registers)
        defer { again.stop() }
        Thread.sleep(forTimeInterval: 2.5)
        #expect(plc.process.isRunning)
        #expect(plc.stop(signal: SIGTERM) == 0)

        let log = ws.logLines()
        let errors = log.filter { $0.contains(" - ERROR - ") }
        let recoveries = log.filter { $0.contains(" - INFO - Recovered after ") }
        #expect(errors.count == 1, "\(log)")
        #expect(recoveries.count == 1, "\(log)")
        #expect(errors.first?.hasSuffix(" - ERROR - Error reading registers 4000-4045 from slave 1: timeout") == true)
        // The failed polls are counted, the debounced ones before the ERROR line included (3 by default).
        let failed = recoveries.first?.firstMatch(of: #/\(outage 1 since start, ([0-9]+) failed polls\): /#).flatMap { Int($0.1) }
        #expect((failed ?? 0) >= 3, "\(log)")
        #expect(recoveries.first?.hasSuffix("): Error reading registers 4000-4045 from slave 1: timeout") == true)
        // The error line's time stamp format: 2026-11-25 18:41:30,123
        let stamp = errors.first.map { String($0.prefix(23)) } ?? ""
        #expect(stamp.count == 23 && stamp.dropFirst(19).first == ",")

        let rows = ws.rows()
        let empty = rows.filter { $0.dropFirst(19) == ",,,,,,,,,,,,," }
        let good = rows.filter { $0.hasSuffix(Self.expectedCells) }
        #expect(empty.count >= 2, "rows during the outage must have empty cells: \(rows)")
        #expect(good.count >= 2 && good.count + empty.count == rows.count, "\(rows)")
        // The time grid stays regular: one row per second, no gaps, no repeats.
        #expect(RowGrid.breaks(rows, stderr: plc.errorOutput).isEmpty, "\(RowGrid.breaks(rows, stderr: plc.errorOutput)): \(rows)")
    }

    @Test("killed with SIGKILL again and again while logging: files end on whole lines, no row lost twice or doubled")
    func sigkillDurability() throws {
        let ws = try Workspace()
        var written = 0
        for round in 0..<6 {
            let plc = try Self.start(ws, ["--simulate"])
            Thread.sleep(forTimeInterval: 1.3 + Double(round % 3) * 0.4)
            plc.stop(signal: SIGKILL)
            let rows = ws.rows()
            #expect(rows.count >= written, "rows disappeared after round \(round)")
            written = rows.count
            if round == 2, let file = try FileManager.default.contentsOfDirectory(atPath: ws.csv).sorted().last {
                // A power cut in the middle of a row: half a line at the end of the file.
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: ws.csv + "/" + file))
                handle.seekToEndOfFile()
                handle.write(Data("2026-01-01 00:00:00,229.7,23".utf8))
                try handle.close()
            }
        }
        let plc = try Self.start(ws, ["--simulate"])      // a last run repairs the half line
        Thread.sleep(forTimeInterval: 1.5)
        #expect(plc.stop(signal: SIGTERM) == 0)

        for file in try FileManager.default.contentsOfDirectory(atPath: ws.csv) {
            let text = try String(contentsOfFile: ws.csv + "/" + file, encoding: .utf8)
            #expect(text.hasSuffix("\n"), "\(file) does not end on a whole line")
            #expect(!text.contains("2026-01-01 00:00:00,229.7,23"), "the half line was not repaired")
            #expect(text.split(separator: "\n").first.map(String.init) == Self.header)
            #expect(text.components(separatedBy: Self.header).count == 2, "header written twice in \(file)")
        }
        let rows = ws.rows()
        #expect(rows.count >= 6, "\(rows)")
        #expect(rows.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 14 })
        let stamps = rows.map { String($0.prefix(19)) }
        #expect(stamps == stamps.sorted() && Set(stamps).count == stamps.count, "duplicated or unordered rows: \(stamps)")
    }

    @Test("a CSV folder that disappears: the error is logged once, rows wait, and are written when it is back")
    func missingFolder() throws {
        let ws = try Workspace()
        let plc = try Self.start(ws, ["--simulate"])
        Thread.sleep(forTimeInterval: 1.6)
        let before = ws.rows().count
        try FileManager.default.removeItem(atPath: ws.csv)      // the USB stick is pulled
        Thread.sleep(forTimeInterval: 3)
        try FileManager.default.createDirectory(atPath: ws.csv, withIntermediateDirectories: false)
        Thread.sleep(forTimeInterval: 3)                          // the writer retries with back-off
        #expect(plc.stop(signal: SIGTERM) == 0)
        let log = ws.logLines()
        #expect(log.filter { $0.contains(" - ERROR - Cannot write \(ws.csv): the folder is missing") }.count == 1, "\(log)")
        #expect(log.filter { $0.contains(" - INFO - Recovered after ") }.count == 1, "\(log)")
        let rows = ws.rows()
        #expect(before >= 1)
        // The rows of the outage were kept and written once the folder was back, in order, once each.
        #expect(rows.count >= 5, "\(rows)")
#expect(RowGrid.longestStall(plc.errorOutput) != nil, "no statistics at stop: \(plc.errorOutput)")
                #expect(RowGrid.breaks(rows, stderr: plc.errorOutput).isEmpty, "a row is missing: \(RowGrid.breaks(rows, stderr: plc.errorOutput)): \(rows)")
    }

    @Test("no adapter at all: one clear 'not connected' error line, empty rows, the process keeps running")
    func noAdapter() throws {
        let ws = try Workspace()
        let plc = try Self.start(ws, ["--set", "bus.device=/dev/ttyNOPE7"])
        Thread.sleep(forTimeInterval: 3.5)
        #expect(plc.process.isRunning)
        #expect(plc.stop(signal: SIGTERM) == 0)
        let errors = ws.logLines().filter { $0.contains(" - ERROR - ") }
        #expect(errors.count == 1, "\(ws.logLines())")
        #expect(errors.first?.hasSuffix(" - ERROR - Error reading registers 4000-4045 from slave 1: "
                                        + "not connected: No such file or directory") == true, "\(errors)")
        let rows = ws.rows()
        #expect(rows.count >= 2 && rows.allSatisfy { $0.dropFirst(19) == ",,,,,,,,,,,,," }, "\(rows)")
        #expect(plc.errorOutput.contains { $0.contains("bus meter down: /dev/ttyNOPE7 19200 8E1: not connected") })
    }

    @Test("the USB adapter is unplugged and plugged back in: errors latch, the bus reconnects, values recover")
    func adapterUnpluggedAndBack() throws {
        let ws = try Workspace()
        let line = try SerialLine()
        var peer = try ModbusPeer(rtu: line.b, image: MeterImage.registers)
        let plc = try Self.start(ws, Self.rtuArguments(line) + ["--set", "bus.reconnectMin=T#200ms",
                                                                 "--set", "bus.reconnectMax=T#400ms"])
        Thread.sleep(forTimeInterval: 2)
        peer.stop()
        line.unplug()                                  // the device files vanish
        Thread.sleep(forTimeInterval: 2.5)
        try line.plugIn()                              // ... and come back under the same names
        peer = try ModbusPeer(rtu: line.b, image: MeterImage.registers)
        defer { peer.stop() }
        // Recovery takes GoodPollsToClear good polls; on a loaded machine a reply later than the
        // 200 ms timeout is (rightly) thrown away, so allow it some seconds, then one more row.
        let deadline = Date().addingTimeInterval(12)
        while Date() < deadline && !ws.logLines().contains(where: { $0.contains(" - INFO - Recovered after ") }) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        Thread.sleep(forTimeInterval: 1.5)
        #expect(plc.process.isRunning)
        #expect(plc.stop(signal: SIGTERM) == 0)

        let log = ws.logLines()
        #expect(log.filter { $0.contains(" - ERROR - Error reading registers 4000-4045 from slave 1: ") }.count == 1, "\(log)")
        #expect(log.filter { $0.contains(" - INFO - Recovered after ") }.count == 1, "\(log)")
        #expect(plc.errorOutput.contains { $0.contains("bus meter up: connected to \(line.a)") }, "\(plc.errorOutput)")
        let rows = ws.rows()
        #expect(rows.last?.hasSuffix(Self.expectedCells) == true, "values did not recover: \(rows.suffix(3))")
        #expect(rows.contains { $0.dropFirst(19) == ",,,,,,,,,,,,," }, "rows of the outage must have empty cells")
    }

    /// True when this machine lets the tests make a read-only bind mount (root with CAP_SYS_ADMIN).
    static let canMountReadOnly: Bool = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-ro-probe").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        guard Shell.run("mount --bind \(dir) \(dir) && mount -o remount,bind,ro \(dir)") else { return false }
        _ = Shell.run("umount \(dir)")
        return true
    }()

    @Test("a full disk: one 'No space left on device' line, rows wait, and are written once space is free",
          .enabled(if: canMountReadOnly))
    func fullDisk() throws {
        let ws = try Workspace()
        try FileManager.default.createDirectory(atPath: ws.csv, withIntermediateDirectories: true)
        #expect(Shell.run("mount -t tmpfs -o size=64k tmpfs \(ws.csv)"))
        defer { _ = Shell.run("umount \(ws.csv)") }
        // Fill the disk to the last byte.
        _ = Shell.run("dd if=/dev/zero of=\(ws.csv)/filler bs=1k count=1000")
        let plc = try Self.start(ws, ["--simulate"])
        Thread.sleep(forTimeInterval: 2.5)
        try FileManager.default.removeItem(atPath: ws.csv + "/filler")    // space again
        Thread.sleep(forTimeInterval: 3)
        #expect(plc.stop(signal: SIGTERM) == 0)
        let log = ws.logLines()
        let errors = log.filter { $0.contains(" - ERROR - Cannot write \(ws.csv)/rx380_data_") }
        #expect(errors.count == 1 && errors[0].hasSuffix(": No space left on device"), "\(log)")
        #expect(log.contains { $0.contains(" - INFO - Recovered after ") }, "\(log)")
        let rows = ws.rows()
        #expect(rows.count >= 4, "queued rows must be written once there is space: \(rows)")
        #expect(RowGrid.breaks(rows, stderr: plc.errorOutput).isEmpty, "a row is missing: \(RowGrid.breaks(rows, stderr: plc.errorOutput)): \(rows)")
        for file in try FileManager.default.contentsOfDirectory(atPath: ws.csv) {
            #expect(try String(contentsOfFile: ws.csv + "/" + file, encoding: .utf8).hasSuffix("\n"))
        }
    }

    @Test("a read-only CSV folder: a clear error, and recovery when it becomes writable", .enabled(if: canMountReadOnly))
    func readOnlyFolder() throws {
        let ws = try Workspace()
        try FileManager.default.createDirectory(atPath: ws.csv, withIntermediateDirectories: true)
        #expect(Shell.run("mount --bind \(ws.csv) \(ws.csv) && mount -o remount,bind,ro \(ws.csv)"))
        let plc = try Self.start(ws, ["--simulate"])
        Thread.sleep(forTimeInterval: 2.5)
        #expect(Shell.run("umount \(ws.csv)"))
        Thread.sleep(forTimeInterval: 3)
        #expect(plc.stop(signal: SIGTERM) == 0)
        let log = ws.logLines()
        let errors = log.filter { $0.contains(" - ERROR - Cannot write \(ws.csv)/rx380_data_") }
        #expect(errors.count == 1 && errors[0].hasSuffix(": Read-only file system"), "\(log)")
        #expect(log.contains { $0.contains(" - INFO - Recovered after ") })
        #expect(ws.rows().count >= 4, "queued rows must be written after the folder became writable")
    }
}

/// Runs a shell command line; true when it exits 0.
enum Shell {
    static func run(_ command: String) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command + " >/dev/null 2>&1"]
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
