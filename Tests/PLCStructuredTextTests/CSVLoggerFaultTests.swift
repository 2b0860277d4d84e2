import Foundation
import PLCCore
import Testing
@testable import PLCStructuredText

/// The CSVLogger twin over the CAA File stand-ins' fault script: a full disk (FILE.Write ends with
/// WRITE_INCOMPLETE) and a busy handle (FILE.Write does not end), as a controller's SD card does.
@Suite struct CSVLoggerFaultTests {
    /// A CSVLogger on one column `a` in a scratch folder, stepped 100 ms of scan time per call.
    final class Logger: FileTwinHarness {
        init() throws {
            let files = FileStandInTests()
            let root = try files.scratch()
            let (machine, block) = try files.csvLogger(root: root, columns: [("a", 2.5, 1)])
            super.init(root: root, machine: machine, block: block)
        }

        func step(_ execute: Bool) {
            set("xExecute", .bool(execute))
            step()
        }

        /// A row requested: a rising edge, held for 3 calls, then released for 7 (one row a second).
        func row() {
            for i in 0..<10 { step(i < 3) }
        }

        var text: String { (try? String(contentsOfFile: root + "/csv/log_2025-11-27.csv", encoding: .utf8)) ?? "" }
    }

    @Test("a full disk: the row fails with WRITE_INCOMPLETE, waits in the queue, and is written on the retry after the disk is free")
    func fullDisk() throws {
        let logger = try Logger()
        logger.row()
        #expect(logger.value("udiRowsWritten") == .int(1))
        logger.machine.fileFaults = ["WRITE": .fail(5111)]
        logger.row()
        logger.row()
        #expect(logger.value("xFault") == .bool(true))
        #expect(logger.value("udiErrorID") == .int(5111))
        #expect(logger.value("sError")?.string.contains("CAA File error 5111") == true, "\(logger.value("sError") as Any)")
        #expect(logger.value("udiRowsWritten") == .int(1))
        #expect(logger.value("udiRowsQueued") == .int(2))
        #expect(logger.value("udiRowsLost") == .int(0))
        logger.machine.fileFaults = [:]
        for _ in 0..<80 where logger.value("udiRowsWritten") != .int(3) { logger.step(false) }   // the retry comes 5 s later
        #expect(logger.value("udiRowsWritten") == .int(3))
        #expect(logger.value("xFault") == .bool(false))
        #expect(logger.value("udiRowsQueued") == .int(0))
        let rows = logger.text.split(separator: "\n")
        #expect(rows.count == 4 && rows.first == "timestamp,a", "\(logger.text)")
        #expect(rows.dropFirst().allSatisfy { $0.hasSuffix(",2.5") }, "\(logger.text)")
        // The queued rows keep the times they were asked for: 12:00:01 and 12:00:02, not the retry's.
        #expect(rows.dropFirst().map { String($0.prefix(19)) } == ["2025-11-27 12:00:00", "2025-11-27 12:00:01", "2025-11-27 12:00:02"])
    }

    @Test("a busy handle: rows asked for while FILE.Write does not end are queued, the buffer stays unchanged, all land in order")
    func busyHandle() throws {
        let logger = try Logger()
        logger.row()
        #expect(logger.value("udiRowsWritten") == .int(1))
        logger.machine.fileFaults = ["WRITE": .busy]
        logger.set("alrValues", .array([.real(7.5)] + Array(repeating: .real(0), count: 15)))
        for _ in 0..<4 { logger.row() }
        #expect(logger.value("udiRowsWritten") == .int(1))
        #expect(logger.value("udiRowsQueued") == .int(4))
        #expect(logger.value("xBusy") == .bool(true))
        #expect(logger.value("xFault") == .bool(false))          // busy is not a fault
        logger.machine.fileFaults = [:]
        for _ in 0..<40 where logger.value("udiRowsWritten") != .int(5) { logger.step(false) }
        #expect(logger.value("udiRowsWritten") == .int(5))
        #expect(logger.value("xFault") == .bool(false), "\(logger.value("sError") as Any)")   // no WRONG_PARAMETER: sLine kept
        let rows = logger.text.split(separator: "\n").dropFirst()
        #expect(rows.map { String($0.prefix(19)) } == ["2025-11-27 12:00:00", "2025-11-27 12:00:01", "2025-11-27 12:00:02",
                                                       "2025-11-27 12:00:03", "2025-11-27 12:00:04"], "\(logger.text)")
        #expect(rows.dropFirst().allSatisfy { $0.hasSuffix(",7.5") }, "\(logger.text)")
    }
}
