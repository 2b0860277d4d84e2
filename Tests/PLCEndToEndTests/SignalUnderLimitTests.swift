import Foundation
import Testing

/// Issue 26, defect 5: under an address-space limit, with the dashboard on, a stop signal must still
/// stop the run (the handler may not need a new thread or any memory when the signal arrives).
@Suite("signals under ulimit -v", .serialized)
struct SignalUnderLimitTests {
    @Test("ulimit -v 200000 with HttpListen: SIGINT and SIGTERM each stop the run within 5 s", arguments: [SIGINT, SIGTERM])
    func stopUnderAddressLimit(_ signal: Int32) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plc-ulimit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let port = freePort()
        let command = "ulimit -v 200000 && exec '\(PLCCommand.executable.path)' run programs/rx380_main --simulate"
            + " --set HttpListen=127.0.0.1:\(port) --set CsvFolder='\(folder)' --set ErrorLogFile='\(folder)/rx380.log'"
            + " --set LogInterval=T#1s --set PollInterval=T#500ms"
        let plc = try BackgroundProcess("/bin/sh", ["-c", command])
        defer { _ = plc.stop(signal: SIGKILL, timeout: 5) }
        #expect(plc.waitForErrorLine(timeout: 30) { $0.contains("dashboard on http://127.0.0.1:\(port)/") } != nil,
                "\(plc.errorOutput.suffix(5))")
        // Running: a CSV row shows the scan goes on under the limit.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && RunawayTests.rows(in: folder).isEmpty { Thread.sleep(forTimeInterval: 0.2) }
        #expect(!RunawayTests.rows(in: folder).isEmpty)
        let status = plc.stop(signal: signal, timeout: 5)
        #expect(status == 0, "signal \(signal) did not stop the run within 5 s: \(plc.errorOutput.suffix(3))")
    }

    @Test("--lock-memory: the running process's memory is locked (VmLck), and SIGTERM still stops it")
    func lockMemory() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plc-mlock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let plc = try BackgroundProcess(PLCCommand.executable.path, [
            "run", "programs/rx380_main", "--simulate", "--lock-memory", "--monitor", "rowValid.OUT",
            "--set", "CsvFolder=\(folder)", "--set", "ErrorLogFile=\(folder)/rx380.log"])
        defer { _ = plc.stop(signal: SIGKILL, timeout: 5) }
        #expect(plc.waitForLine(timeout: 30) { $0.hasPrefix("3,") } != nil, "\(plc.errorOutput.suffix(3))")
        let status = (try? String(contentsOfFile: "/proc/\(plc.process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let locked = status.split(separator: "\n").first { $0.hasPrefix("VmLck:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? 0
        #expect(locked > 1000, "VmLck \(locked) kB: \(plc.errorOutput.suffix(3))")
        #expect(plc.stop(signal: SIGTERM, timeout: 10) == 0)
    }

    @Test("ulimit -v 50000: the run refuses at start with one line naming the limit, not SIGILL")
    func tooLittleAddressSpace() throws {
        let command = "ulimit -v 50000 && exec '\(PLCCommand.executable.path)' run programs/rx380_main --simulate --cycles 2"
        let plc = try BackgroundProcess("/bin/sh", ["-c", command])
        plc.process.waitUntilExit()
        #expect(plc.process.terminationReason == .exit && plc.process.terminationStatus == 2)
        let lines = plc.errorOutput.filter { !$0.isEmpty }
        #expect(lines.count == 1 && lines.first?.contains("the address-space limit is 50000 kB (ulimit -v)") == true, "\(lines)")
    }
}
