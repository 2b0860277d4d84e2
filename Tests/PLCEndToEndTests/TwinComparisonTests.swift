import Foundation
import Testing

/// `plc run programs/rx380_main --twin` (the ST twin in the engine) against `plc run programs/rx380_main`
/// (the FBD graph): the same CSV cells against the same pymodbus RTU slave on a socat pty, and the
/// same error-log lines for an outage of the built-in simulator over TCP. (Over RTU, the twin does
/// not see a silent slave yet: noted in st-reference/README.md.) Rows every 2 s: the twin's CSVLogger
/// steps through CAA File's execute blocks (folder, open, size, write, flush, close), about ten scans
/// of a 100 ms task, so it cannot keep a 1 s grid; at the program's T#5m it is far inside the grid.
@Suite("rx380_main: the ST twin writes what the Swift program writes", .serialized)
struct TwinComparisonTests {
    struct Run {
        let rows: [String]
        let log: [String]
    }

    /// One clean run against a pymodbus RTU slave on a socat pty, in a scratch folder (relative
    /// paths: the twin's CAA File works in its folder).
    static func run(twin: Bool) throws -> Run {
        let ws = try RX380MainTests.Workspace()
        let line = try SerialLine()
        let peer = try ModbusPeer(rtu: line.b, image: MeterImage.registers)
        defer { peer.stop() }
        let plc = try start(ws, bus: RX380MainTests.rtuArguments(line), twin: twin)
        Thread.sleep(forTimeInterval: 8.5)
        #expect(plc.stop(signal: SIGTERM) == 0, "\(plc.errorOutput.suffix(5))")
        return Run(rows: ws.rows(), log: ws.logLines())
    }

    /// One run with an outage: the built-in simulator over TCP goes silent for 6 s, then answers again.
    static func runWithOutage(twin: Bool) throws -> Run {
        let ws = try RX380MainTests.Workspace()
        let port = freePort()
        let simulator = try BackgroundProcess(PLCCommand.executable.path,
                                              ["simulate", "rx380", "--tcp", "127.0.0.1:\(port)", "--frozen"])
        defer { simulator.stop(signal: SIGINT) }
        _ = simulator.waitForErrorLine(timeout: 20) { $0.contains("simulator: rx380") }
        let plc = try start(ws, bus: ["--set", "bus.kind=tcp", "--set", "bus.host=127.0.0.1", "--set", "bus.port=\(port)",
                                      "--set", "bus.responseTimeout=T#200ms"], twin: twin)
        Thread.sleep(forTimeInterval: 4.5)
        simulator.send("silent")
        Thread.sleep(forTimeInterval: 6.0)
        simulator.send("none")
        Thread.sleep(forTimeInterval: 5.0)
        #expect(plc.stop(signal: SIGTERM) == 0, "\(plc.errorOutput.suffix(5))")
        return Run(rows: ws.rows(), log: ws.logLines())
    }

    static func start(_ ws: RX380MainTests.Workspace, bus: [String], twin: Bool) throws -> BackgroundProcess {
        let arguments = ["run", PLCCommand.root.appendingPathComponent("programs/rx380_main").path,
                         "--set", "CsvFolder=csv", "--set", "ErrorLogFile=rx380_logger.log",
                         "--set", "PollInterval=T#300ms", "--set", "LogInterval=T#2s", "--set", "DisplayInterval=T#2s"]
            + bus + (twin ? ["--twin", "--st", PLCCommand.root.appendingPathComponent("st-reference").path] : [])
        return try BackgroundProcess(PLCCommand.executable.path, arguments, directory: ws.dir)
    }

    /// The cells of a row with no good value: 13 empty cells.
    static let empty = String(repeating: ",", count: 12)

    /// The value cells of a row (after `YYYY-MM-DD HH:MM:SS,`).
    static func cells(_ row: String) -> String { String(row.dropFirst(20)) }

    /// A log line without its time stamp, and with an outage's length and its count of failed polls
    /// (both depend on timing) cut out.
    static func message(_ line: String) -> String {
        let text = String(line.dropFirst(26))
        guard let after = text.range(of: "Recovered after "), let outage = text.range(of: " (outage ") else { return text }
        let rest = String(text[outage.lowerBound...]).replacing(#/, [0-9]+ failed polls?\)/#, with: ", … failed polls)")
        return String(text[..<after.upperBound]) + "…" + rest
    }

    @Test("a clean run: every row's cells are equal; the same log lines")
    func clean() throws {
        let swift = try Self.run(twin: false)
        let st = try Self.run(twin: true)
        let good = { (rows: [String]) in rows.map(Self.cells).filter { $0 != Self.empty } }
        #expect(good(swift.rows).count >= 3 && good(st.rows).count >= 3, "swift \(swift.rows)\nst \(st.rows)")
        #expect(Set(good(swift.rows)) == [RX380MainTests.expectedCells])
        #expect(Set(good(st.rows)) == Set(good(swift.rows)), "st \(st.rows)")
        let errors = { (log: [String]) in log.filter { $0.contains(" - ERROR - ") } }
        #expect(errors(swift.log).isEmpty && errors(st.log).isEmpty, "swift \(swift.log)\nst \(st.log)")
        #expect(st.log.first.map(Self.message) == swift.log.first.map(Self.message), "\(st.log) \(swift.log)")
    }

    @Test("an outage: empty cells meanwhile, and the same ERROR and Recovered lines")
    func outage() throws {
        let swift = try Self.runWithOutage(twin: false)
        let st = try Self.runWithOutage(twin: true)
        let outageLines = { (log: [String]) in
            log.filter { $0.contains(" - ERROR - ") || $0.contains("Recovered after") }.map(Self.message)
        }
        #expect(outageLines(swift.log).count == 2, "\(swift.log)")
        #expect(outageLines(st.log) == outageLines(swift.log), "st \(st.log)\nswift \(swift.log)")
        for run in [swift, st] {
            let cells = run.rows.map(Self.cells)
            #expect(cells.contains(Self.empty) && cells.count(where: { $0 != Self.empty }) >= 2, "\(run.rows)")
        }
    }
}
