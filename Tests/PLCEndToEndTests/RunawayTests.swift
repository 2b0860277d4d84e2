import Foundation
import Testing

/// Issue 26's runaway cases, end to end: an ST block that never ends its scan.
@Suite("runaway ST: an endless loop, sources too deep to check", .serialized)
struct RunawayTests {
    static let spin = """
        FUNCTION_BLOCK Spin
        VAR_OUTPUT lrScans : LREAL; END_VAR
        VAR i : DINT; END_VAR
        lrScans := lrScans + 1;
        WHILE TRUE DO i := i + 1; END_WHILE
        END_FUNCTION_BLOCK
        """

    static func program(csv: String) -> String {
        """
        program: runaway
        task: {interval: T#100ms, watchdog: T#200ms}
        blocks:
          - name: pulse
            type: TON
            inputs: {IN: {from: NOT pulse.Q, feedback: true}, PT: T#100ms}
          - name: spin
            type: Spin
          - name: rows
            type: CSVLogger
            inputs: {xExecute: pulse.Q, sFolder: '\(csv)', sPrefix: "'runaway'", sColumns: "'scans'", 'alrValues[0]': spin.lrScans}

        """
    }

    @Test("WHILE TRUE in a block with a 200 ms watchdog: the scan is aborted, rows are logged, the fault once, SIGTERM stops it within 5 s")
    func endlessWhileIsAbortedAndStops() throws {
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("plc-runaway-\(UUID().uuidString)").path
        let dir = try PLCCommand.programFolder(Self.program(csv: csv))
        try Self.spin.write(toFile: dir + "/Spin.st", atomically: true, encoding: .utf8)
        let plc = try BackgroundProcess(PLCCommand.executable.path, ["run", dir])
        defer { _ = plc.stop(signal: SIGKILL, timeout: 5) }
        // Rows keep coming although every scan of Spin runs into its loop.
        let deadline = Date().addingTimeInterval(30)
        var rows: [Substring] = []
        while Date() < deadline && rows.count < 4 && plc.process.isRunning {
            Thread.sleep(forTimeInterval: 0.1)
            rows = Self.rows(in: csv)
        }
        #expect(rows.count >= 4, "rows: \(rows), stderr: \(plc.errorOutput.suffix(5))")
        let started = Date()
        let status = plc.stop(signal: SIGTERM, timeout: 5)
        #expect(status == 0, "SIGTERM did not stop the run within 5 s (\(Date().timeIntervalSince(started)) s)")
        // Every row is whole: a time stamp and one number, ended by a newline.
        let text = Self.files(in: csv).map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }.joined()
        #expect(text.hasSuffix("\n"))
        for row in Self.rows(in: csv) {
            let cells = row.split(separator: ",", omittingEmptySubsequences: false)
            #expect(cells.count == 2 && Double(cells[1]) != nil, "a broken row: \(row)")
        }
        let faults = plc.errorOutput.filter { $0.contains("watchdog: Spin ran longer") }
        #expect(faults.count == 1, "\(plc.errorOutput.suffix(10))")
        #expect(faults.first?.contains("Spin.st:5:") == true, "\(faults)")
    }

    @Test("a division by zero in an ST block of an FBD program is logged once, and the run goes on")
    func runTimeFaultIsLoggedOnce() throws {
        let divide = """
            FUNCTION_BLOCK Divide
            VAR_INPUT diDivisor : DINT; END_VAR
            VAR_OUTPUT diQuotient : DINT; diScans : DINT; END_VAR
            diScans := diScans + 1;
            diQuotient := 100 / diDivisor;
            END_FUNCTION_BLOCK
            """
        let program = """
            program: divide
            task: {interval: T#10ms}
            variables:
              - {scope: VAR, name: Scans, type: DINT}
            blocks:
              - name: divide
                type: Divide
                inputs: {diDivisor: 0}
                outputs: {diScans: Scans}

            """
        let dir = try PLCCommand.programFolder(program)
        try divide.write(toFile: dir + "/Divide.st", atomically: true, encoding: .utf8)
        let result = try PLCCommand.run(["run", dir, "--cycles", "20", "--monitor", "Scans"])
        #expect(result.status == 0, "\(result.stderr)")
        let faults = result.stderr.split(separator: "\n").filter { $0.contains("run-time fault in Divide: division by zero") }
        #expect(faults.count == 1, "\(result.stderr)")
        let scans = result.stdout.split(separator: "\n").dropFirst().compactMap { $0.split(separator: ",").last.flatMap { Int($0) } }
        #expect(scans.last == 20, "the block ran every scan: \(scans.suffix(3))")
    }

    @Test("plc check-st on 5,000 nested parentheses, a 50,000-term sum and 20,000 nested IFs: file:line:col errors, exit 2")
    func deepSourcesAreErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-deep-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func block(_ name: String, _ body: String) -> String {
            "FUNCTION_BLOCK \(name)\nVAR x : DINT; END_VAR\n\(body)\nEND_FUNCTION_BLOCK\n"
        }
        let files = [
            "Parens": "x := " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + ";",
            "Sum": "x := " + Array(repeating: "x", count: 50_000).joined(separator: " + ") + ";",
            "Ifs": String(repeating: "IF TRUE THEN\n", count: 20_000) + "x := 1;\n" + String(repeating: "END_IF\n", count: 20_000),
        ]
        for (name, body) in files { try block(name, body).write(toFile: "\(dir)/\(name).st", atomically: true, encoding: .utf8) }
        let result = try PLCCommand.run(["check-st", dir])
        #expect(result.status == 2, "exit \(result.status): \(result.stderr.prefix(300))")
        let lines = result.stderr.split(separator: "\n")
        for name in files.keys {
            #expect(lines.filter { $0.hasPrefix("\(dir)/\(name).st:") }.count == 1, "\(name): \(lines.prefix(5))")
        }
        #expect(lines.count == 3, "one error per file: \(lines.prefix(5))")
    }

    static func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".csv") }
            .sorted().map { folder + "/" + $0 }
    }

    /// The data rows (header left out) of every CSV file in `folder`.
    static func rows(in folder: String) -> [Substring] {
        files(in: folder).flatMap { file -> [Substring] in
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").dropFirst().map { $0 }
        }
    }
}
