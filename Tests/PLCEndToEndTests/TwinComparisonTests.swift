import Foundation
import Testing

/// `plc run programs/rx380_main --twin` (the ST twin in the engine) against `plc run programs/rx380_main`
/// (the FBD graph), each against its own pymodbus RTU slave on a socat pty, run side by side so that
/// their rows fall on the same wall-clock seconds (LogInterval 1 s): every cell of every row with the
/// same timestamp is equal, and the error log has the same ERROR and Recovered lines, for a clean run
/// and for an outage (both slaves go silent at the same moment, then answer again).
@Suite("rx380_main: the ST twin writes what the Swift program writes", .serialized)
struct TwinComparisonTests {
    struct Run {
        let rows: [String]
        let log: [String]
    }

    /// One side: its scratch folder, serial line, pymodbus slave and plc process.
    final class Side {
        let ws: RX380MainTests.Workspace
        let line: SerialLine
        let peer: ModbusPeer
        let plc: BackgroundProcess

        init(twin: Bool) throws {
            ws = try RX380MainTests.Workspace()
            line = try SerialLine()
            peer = try ModbusPeer(rtu: line.b, image: MeterImage.registers)
            // Relative paths: the twin's CAA File works in its folder.
            let arguments = ["run", PLCCommand.root.appendingPathComponent("programs/rx380_main").path,
                             "--set", "CsvFolder=csv", "--set", "ErrorLogFile=rx380_logger.log",
                             "--set", "PollInterval=T#300ms", "--set", "LogInterval=T#1s", "--set", "DisplayInterval=T#2s"]
                + RX380MainTests.rtuArguments(line)
                + (twin ? ["--twin", "--st", PLCCommand.root.appendingPathComponent("st-reference").path] : [])
            plc = try BackgroundProcess(PLCCommand.executable.path, arguments, directory: ws.dir)
        }

        func finish() -> Run {
            #expect(plc.stop(signal: SIGTERM) == 0, "\(plc.errorOutput.suffix(5))")
            peer.stop()
            return Run(rows: ws.rows(), log: ws.logLines())
        }
    }

    /// Both programs side by side for `seconds`; `silent` (from, to) in seconds after the start makes
    /// both slaves stop answering meanwhile.
    static func runBoth(seconds: Double, silent: (from: Double, to: Double)? = nil) throws -> (swift: Run, st: Run) {
        let swift = try Side(twin: false)
        let st = try Side(twin: true)
        let start = Date()
        func wait(until t: Double) { Thread.sleep(forTimeInterval: max(0, t - Date().timeIntervalSince(start))) }
        if let silent {
            wait(until: silent.from)
            swift.peer.command("silent")
            st.peer.command("silent")
            wait(until: silent.to)
            swift.peer.command("normal")
            st.peer.command("normal")
        }
        wait(until: seconds)
        return (swift.finish(), st.finish())
    }

    /// The cells of a row with no good value: 13 empty cells.
    static let empty = String(repeating: ",", count: 12)

    /// The value cells of a row (after `YYYY-MM-DD HH:MM:SS,`).
    static func cells(_ row: String) -> String { String(row.dropFirst(20)) }

    /// Rows by their timestamp, from the first good one on (before the first reply a row is empty).
    static func byTime(_ rows: [String]) -> [String: String] {
        let from = rows.drop { cells($0) == empty }
        return Dictionary(from.map { (String($0.prefix(19)), cells($0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// A log line without its time stamp, and with an outage's length and its count of failed polls
    /// (both depend on timing) cut out.
    static func message(_ line: String) -> String {
        let text = String(line.dropFirst(26))
        guard let after = text.range(of: "Recovered after "), let outage = text.range(of: " (outage ") else { return text }
        let rest = String(text[outage.lowerBound...]).replacing(#/, [0-9]+ failed polls?\)/#, with: ", … failed polls)")
        return String(text[..<after.upperBound]) + "…" + rest
    }

    static func outageLines(_ log: [String]) -> [String] {
        log.filter { $0.contains(" - ERROR - ") || $0.contains("Recovered after") }.map(message)
    }

    @Test("a clean run: every cell of every row is equal; the same log lines")
    func clean() throws {
        let (swift, st) = try Self.runBoth(seconds: 8.5)
        let a = Self.byTime(swift.rows), b = Self.byTime(st.rows)
        let common = Set(a.keys).intersection(b.keys)
        #expect(common.count >= 5, "swift \(swift.rows)\nst \(st.rows)")
        for time in common.sorted() {
            #expect(a[time] == RX380MainTests.expectedCells && b[time] == a[time], "\(time): swift \(a[time] ?? "-"), st \(b[time] ?? "-")")
        }
        #expect(Self.outageLines(swift.log).isEmpty && Self.outageLines(st.log).isEmpty, "swift \(swift.log)\nst \(st.log)")
        #expect(st.log.first.map(Self.message) == swift.log.first.map(Self.message), "\(st.log) \(swift.log)")
    }

    @Test("an outage of the RTU slave: the same rows, empty meanwhile, and the same ERROR and Recovered lines")
    func outage() throws {
        let (swift, st) = try Self.runBoth(seconds: 16, silent: (from: 4.5, to: 10.5))
        #expect(Self.outageLines(swift.log).count == 2, "\(swift.log)")
        #expect(Self.outageLines(st.log) == Self.outageLines(swift.log), "st \(st.log)\nswift \(swift.log)")
        let a = Self.byTime(swift.rows), b = Self.byTime(st.rows)
        let common = Set(a.keys).intersection(b.keys).sorted()
        #expect(common.count >= 12, "swift \(swift.rows)\nst \(st.rows)")
        // The outage starts after three failed polls and ends after two good ones, counted from each
        // program's own poll phase: at each end, one row may fall on either side of it.
        let differing = common.filter { a[$0] != b[$0] }
        #expect(differing.count <= 2, "rows that differ: \(differing.map { "\($0): swift \(a[$0]!), st \(b[$0]!)" })")
        for time in differing {
            #expect(Set([a[time]!, b[time]!]) == [Self.empty, RX380MainTests.expectedCells], "\(time)")
        }
        for run in [a, b] {
            let cells = common.map { run[$0]! }
            #expect(cells.count(where: { $0 == Self.empty }) >= 3, "\(cells)")
            #expect(Set(cells) == [Self.empty, RX380MainTests.expectedCells], "\(cells)")
            // good, then empty during the outage, then good again
            let runs = cells.reduce(into: [String]()) { if $1 != $0.last { $0.append($1) } }
            #expect(runs == [RX380MainTests.expectedCells, Self.empty, RX380MainTests.expectedCells], "\(cells)")
        }
    }
}
