import Foundation
import PLCCore
import Testing
@testable import PLCStructuredText

/// The EventLog twin of st-reference/ on the CAA File stand-ins: its lines, and the fault script
/// (the file cannot be opened) keeping a line for the retry 5 s later instead of every cycle or never.
@Suite struct EventLogTwinTests {
    final class Log: FileTwinHarness {
        init() throws {
            let root = try FileStandInTests().scratch()
            let library = try STLibrary.load(folder: repositoryRoot + "/st-reference", root: "EventLog")
            let machine = library.makeMachine()
            machine.fileRoot = root
            super.init(root: root, machine: machine, block: try #require(machine.instantiate("EventLog")))
            set("sFile", .string("site.log"))
            set("sStartText", .string("site_main started"))
        }

        /// One call with `pins` set; a pin set TRUE is a pulse (FALSE again after the call).
        func step(_ pins: [String: IECValue]) {
            for (name, value) in pins { set(name, value) }
            step()
            for (name, value) in pins where value == .bool(true) { set(name, .bool(false)) }
        }

        var lines: [String] {
            ((try? String(contentsOfFile: root + "/site.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    @Test("a start line, one ERROR line per outage and one Recovered line with its length, each with a millisecond timestamp")
    func outageLines() throws {
        let log = try Log()
        for _ in 0..<5 { log.step() }
        log.step(["xRaised": .bool(true), "sText": .string("Office: timeout"), "udiCount": .int(1), "xPollFailed": .bool(true)])
        for _ in 0..<20 { log.step() }
        log.step(["xCleared": .bool(true), "tOutage": .time(210_000), "xPollDone": .bool(true)])
        for _ in 0..<10 { log.step() }
        let lines = log.lines
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.first == "2025-11-27 12:00:00,000 - INFO - site_main started")
        #expect(lines.dropFirst().first == "2025-11-27 12:00:00,500 - ERROR - Office: timeout")
        #expect(lines.last?.hasPrefix("2025-11-27 12:00:02,600 - INFO - Recovered after 3m 30s (outage 1 since start") == true, "\(lines)")
        #expect(lines.last?.hasSuffix("): Office: timeout") == true, "\(lines)")
    }

    @Test("the file cannot be opened: the line is kept and written once, on the retry 5 s after the failure")
    func openFailureRetriesIn5s() throws {
        let log = try Log()
        log.machine.fileFaults = ["OPEN": .fail(5110)]         // FILE.ERROR.UNKNOWN
        for _ in 0..<10 { log.step() }                          // 1 s: the open failed at once
        log.machine.fileFaults = [:]
        var firstSeen: Int64?
        for _ in 0..<80 where firstSeen == nil {
            log.step()
            if !log.lines.isEmpty { firstSeen = log.t }
        }
        // Not written in the seconds before the retry (no open every cycle), written after it.
        let seen = try #require(firstSeen, "the line was lost")
        #expect(seen >= 5000 && seen <= 6000, "written at \(seen) ms")
        for _ in 0..<20 { log.step() }
        #expect(log.lines == ["2025-11-27 12:00:00,000 - INFO - site_main started"])
    }
}
