import Foundation
import PLCBlocks
import PLCCore
import PLCGraph
import PLCModbus
import PLCRuntime
import PLCStorage
import Testing

/// Issue 16's defects that need no peer: storage messages, CSV headers, folder locks, text input.
@Suite("Hardening")
struct HardeningUnitTests {
    /// Writes `rows` to `folder/file` through a writer thread; returns the status and the writer.
    static func write(_ rows: [String], folder: String, file: String = "t.csv", header: String = "timestamp,a",
                      writer: StorageWriter = StorageWriter()) -> CSVStatus {
        writer.start()
        let status = CSVStatus()
        for row in rows { _ = writer.append(row: row, folder: folder, fileName: file, header: header, status: status) }
        writer.stop()
        return status
    }

    /// The fault a single row meets in `folder` (the writer retries after a second; one attempt is enough).
    static func fault(writingTo folder: String) -> StorageError? {
        let writer = StorageWriter()
        writer.start()
        let status = CSVStatus()
        _ = writer.append(row: "2026-01-01 00:00:00,1", folder: folder, fileName: "t.csv", header: "timestamp,a", status: status)
        let deadline = Date().addingTimeInterval(5)
        while status.fault == nil && status.counts.written == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        writer.stop()
        return status.fault
    }

    @Test("a regular file as CsvFolder says it is not a folder, not that the disk is missing (defect 10)")
    func fileAsFolder() throws {
        let path = try Fixtures.temporaryFile("not a folder\n")
        let fault = Self.fault(writingTo: path)
        #expect(fault?.description == "Cannot write \(path): it is not a folder (a file of that name is in the way)",
                "\(String(describing: fault))")
    }

    @Test("an over-long CSV folder path keeps its errno (defect 10)")
    func longPath() throws {
        let long = try StorageTests.folder() + "/" + String(repeating: "x", count: 300)
        let fault = Self.fault(writingTo: long)
        #expect(fault?.code == UInt32(ENAMETOOLONG), "\(String(describing: fault))")
        #expect(fault?.description.hasSuffix("File name too long") == true, "\(String(describing: fault))")
    }

    @Test("a day's file with another header is left alone; rows go to a new file beside it (defect 6)")
    func otherHeader() throws {
        let dir = try StorageTests.folder()
        try "timestamp,old\n2026-01-01 00:00:00,9\n".write(toFile: dir + "/t.csv", atomically: true, encoding: .utf8)
        let status = Self.write(["2026-01-01 00:05:00,1", "2026-01-01 00:10:00,2"], folder: dir)
        #expect(status.counts.written == 2)
        #expect(try String(contentsOfFile: dir + "/t.csv", encoding: .utf8) == "timestamp,old\n2026-01-01 00:00:00,9\n")
        #expect(try String(contentsOfFile: dir + "/t_2.csv", encoding: .utf8)
                == "timestamp,a\n2026-01-01 00:05:00,1\n2026-01-01 00:10:00,2\n")
        // The next start finds t_2.csv with the right header and goes on there.
        _ = Self.write(["2026-01-01 00:15:00,3"], folder: dir)
        #expect(try String(contentsOfFile: dir + "/t_2.csv", encoding: .utf8).hasSuffix("00:10:00,2\n2026-01-01 00:15:00,3\n"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/t_3.csv"))
    }

    @Test("a file emptied under the writer (logrotate copytruncate) gets its header again (defect 6)")
    func copyTruncate() throws {
        let dir = try StorageTests.folder()
        let writer = StorageWriter()
        writer.start()
        let status = CSVStatus()
        _ = writer.append(row: "2026-01-01 00:00:00,1", folder: dir, fileName: "t.csv", header: "timestamp,a", status: status)
        let deadline = Date().addingTimeInterval(5)
        while status.counts.written < 1 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(truncate(dir + "/t.csv", 0) == 0)
        _ = writer.append(row: "2026-01-01 00:05:00,2", folder: dir, fileName: "t.csv", header: "timestamp,a", status: status)
        writer.stop()
        #expect(try String(contentsOfFile: dir + "/t.csv", encoding: .utf8) == "timestamp,a\n2026-01-01 00:05:00,2\n")
    }

    @Test("a CSV folder is locked by the first writer; a second one is refused with the holder named (defect 4)")
    func folderLock() throws {
        let dir = try StorageTests.folder()
        let first = StorageWriter(), second = StorageWriter()
        #expect(first.lockFolder(dir) == nil)
        #expect(first.lockFolder(dir) == nil, "taking it twice in one writer is fine")
        let refused = second.lockFolder(dir)
        // In one process /proc/locks cannot tell the two apart; another process is named by pid (end-to-end test).
        #expect(refused == "CSV folder \(dir) is in use by another process; one program per CSV folder", "\(refused ?? "nil")")
        #expect(second.conflict == refused)
        first.stop()
        #expect(second.lockFolder(dir) == nil, "a stopped writer gives its folder back")
    }

    @Test("vector files saved on Windows (CRLF) or with a UTF-8 byte-order mark read like plain files (issue 10)")
    func crlfAndBOM() throws {
        let plain = "t_ms,IN,PT,Q\n0,TRUE,T#10ms,FALSE\n10,TRUE,,TRUE\n"
        let expected = try VectorFile.parse(plain, path: "x.csv", for: TON.interface)
        for variant in [plain.replacingOccurrences(of: "\n", with: "\r\n"), "\u{FEFF}" + plain,
                        "\u{FEFF}" + plain.replacingOccurrences(of: "\n", with: "\r\n")] {
            let path = try Fixtures.temporaryFile(variant)
            let file = try VectorFile.load(path, for: TON.interface)
            #expect(file.columns.map(\.pin) == expected.columns.map(\.pin))
            #expect(file.rows.map(\.time) == expected.rows.map(\.time))
            #expect(file.rows.count == 2)
        }
    }

    @Test("a program file with bytes that are not UTF-8, or a NUL, names file and line (defect 10)", arguments: [
        ([UInt8]("program: p\nblocks:\n  - name: a".utf8) + [0xFF] + [UInt8]("\n".utf8), 3, "not UTF-8"),
        ([UInt8]("program: p\n\nx: \0\n".utf8), 3, "NUL byte"),
    ])
    func badBytes(bytes: [UInt8], line: Int, problem: String) throws {
        let dir = try StorageTests.folder()
        let path = dir + "/program.yaml"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect {
            try ProgramLoader.load(dir, enums: [:])
        } throws: { error in
            guard let e = (error as? ProgramErrors)?.errors.first else { return false }
            return e.file == path && e.line == line && e.message.contains(problem)
        }
    }

    @Test("a FIFO as the program file is named as one, never waited on (defect 10)")
    func fifoProgram() throws {
        let dir = try StorageTests.folder()
        let path = dir + "/program.yaml"
        #expect(mkfifo(path, 0o644) == 0)
        #expect {
            try ProgramLoader.load(dir, enums: [:])
        } throws: { error in
            (error as? ProgramErrors)?.errors.first?.message.contains("a named pipe (FIFO), not a regular file") == true
        }
    }

    @Test("exception code 0 is a bad reply, an unplugged adapter is 'not connected' (defect 10)")
    func classify() {
        let zero = ModbusConnection.classifyErrno(112_345_678)
        #expect(zero.code == ModbusError.badReplyCode && zero.reason.contains("exception code 0"), "\(zero)")
        #expect(!zero.needsReconnect)
        let unplugged = ModbusConnection.classifyErrno(EIO)
        #expect(unplugged.code == ModbusError.notConnectedCode, "\(unplugged)")
        #expect(unplugged.reason == "not connected: Input/output error")
    }
}

@Suite("Execute handshake")
struct ExecuteHandshakeTests {
    @Test("a job that ends in the call where a new rising edge comes shows its result; the edge is ignored")
    func resultBeforeNextJob() {
        var h = ExecuteHandshake()
        let first = h.startsJob(execute: true)          // poll 1 starts
        #expect(first)
        h.clearShownResult(execute: false)
        let idle = h.startsJob(execute: false)
        #expect(!idle)
        // The reply arrives in the very call where the next poll pulse rises.
        h.clearShownResult(execute: true)
        h.finish(failed: true)
        let started = h.startsJob(execute: true)
        #expect(!started, "the next job must not hide this one's error")
        #expect(h.error && !h.busy)
        // The pulse falls: the error was shown for one call and clears; the next rising edge starts a job.
        h.clearShownResult(execute: false)
        let quiet = h.startsJob(execute: false)
        #expect(!quiet && !h.error)
        let next = h.startsJob(execute: true)
        #expect(next && h.busy)
    }
}

@Suite("Wrong wall clock")
struct WrongClockTests {
    @Test("rows under a clearly wrong clock wait with one clear fault, then are dated from the monotonic clock (defect 5)")
    func heldRows() throws {
        let dir = try StorageTests.folder()
        try "timestamp,a\n2026-11-27 10:00:00,0\n".write(toFile: dir + "/log_2026-11-27.csv", atomically: true, encoding: .utf8)
        let writer = StorageWriter()
        writer.start()
        let status = CSVStatus()
        // A Pi without a battery: the clock says 1970-01-01 00:05 five minutes after the start.
        let boot: Int64 = 300_000
        _ = writer.append(cells: "1", local: boot, monotonic: 300_000, prefix: "log", folder: dir, header: "timestamp,a", status: status)
        _ = writer.append(cells: "2", local: boot + 300_000, monotonic: 600_000, prefix: "log", folder: dir,
                          header: "timestamp,a", status: status)
        let deadline = Date().addingTimeInterval(5)
        while status.fault == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(status.fault?.reason.hasPrefix("the clock says 1970-01-01 00:10:00, before 2026-11-27 10:00:00") == true
                || status.fault?.reason.hasPrefix("the clock says 1970-01-01 00:05:00, before 2026-11-27 10:00:00") == true,
                "\(String(describing: status.fault))")
        #expect(!FileManager.default.fileExists(atPath: dir + "/log_1970-01-01.csv"))
        // NTP sets the clock: 10:15:00 at monotonic 900 s. The held rows are 10:05 and 10:10.
        _ = writer.append(cells: "3", local: 1_795_774_500_000, monotonic: 900_000, prefix: "log", folder: dir,
                          header: "timestamp,a", status: status)
        writer.stop()
        #expect(try String(contentsOfFile: dir + "/log_2026-11-27.csv", encoding: .utf8)
                == "timestamp,a\n2026-11-27 10:00:00,0\n2026-11-27 10:05:00,1\n2026-11-27 10:10:00,2\n2026-11-27 10:15:00,3\n")
        #expect(status.counts.written == 3 && status.counts.lost == 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/log_1970-01-01.csv"))
    }
}

@Suite("Disk full in the middle of a row")
struct ShortWriteTests {
    static func run(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test("a disk that fills up inside a row says 'No space left on device', not 'short write' (defect 10)",
          .enabled(if: getuid() == 0))
    func noSpace() throws {
        let dir = try StorageTests.folder()
        try #require(Self.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", dir]), "cannot mount a tmpfs here")
        defer { _ = Self.run(["umount", dir]) }
        // 26 bytes left in the last page: a 99-byte row is written short, then the rest fails.
        let header = "timestamp,a\n"
        let filler = String(repeating: "x", count: 8192 - 26 - header.count - 1) + "\n"
        try (header + filler).write(toFile: dir + "/t.csv", atomically: false, encoding: .utf8)
        let writer = StorageWriter()
        writer.start()
        let status = CSVStatus()
        let row = "2026-01-01 00:00:00," + String(repeating: "9", count: 78)
        _ = writer.append(row: row, folder: dir, fileName: "t.csv", header: "timestamp,a", status: status)
        let deadline = Date().addingTimeInterval(5)
        while status.fault == nil && status.counts.written == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        writer.stop()
        #expect(status.fault?.description == "Cannot write \(dir)/t.csv: No space left on device", "\(String(describing: status.fault))")
        #expect(status.fault?.code == UInt32(ENOSPC))
        #expect(try String(contentsOfFile: dir + "/t.csv", encoding: .utf8) == header + filler, "the short write is cut back")
    }
}

@Suite("Loops in a graph")
struct LoopReportTests {
    @Test("two independent loops are both reported, each at its line (defect 10)")
    func twoLoops() {
        let found = errors("""
            program: t
            blocks:
              - {name: a, type: TON, inputs: {IN: b.Q}}
              - {name: b, type: TON, inputs: {IN: a.Q}}
              - {name: c, type: TON, inputs: {IN: a.Q}}
              - {name: d, type: TP, inputs: {IN: e.Q}}
              - {name: e, type: TP, inputs: {IN: d.Q}}
            """).map(\.message)
        #expect(found.count == 2, "\(found)")
        #expect(found.contains { $0.hasPrefix("loop in the graph: a -> b -> a") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("loop in the graph: d -> e -> d") }, "\(found)")
    }

    /// The cells of the row rx380_main writes at 00:01:00 when the polls from 00:00:55 on fail,
    /// outage debounce out of the way (FailuresToRaise 10), with `MaxDataAge` set as given.
    static func rowAfterFailedPolls(maxDataAge: String) throws -> [Substring] {
        let dir = NSTemporaryDirectory() + "plc-age-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // From 2026-03-01 00:00:00 UTC (the time zone is UTC here).
        let logger = try VirtualRX380(sets: ["PollInterval=T#2s", "LogInterval=T#1m", "DisplayInterval=T#10d",
                                             "CsvFolder=\(dir)/csv", "ErrorLogFile=\(dir)/log", "FailuresToRaise=10",
                                             "MaxDataAge=\(maxDataAge)"],
                                      wallOrigin: 1_772_323_200_000, utcOffset: 0)
        for scan in 0..<610 {
            logger.meter.fault = scan >= 550 ? .timeout : .none
            logger.task.step()
            Thread.sleep(forTimeInterval: 0.0005)     // the worker's reply is there by the next scan
        }
        logger.stop()
        let rows = try String(contentsOfFile: "\(dir)/csv/rx380_data_2026-03-01.csv", encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 2, "\(rows)")
        #expect(rows.last?.hasPrefix("2026-03-01 00:01:00,") == true, "\(rows)")
        return rows.last.map { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst().map { $0 } } ?? []
    }

    @Test("failed polls just before a row leave the last good values in it for MaxDataAge, then empty cells (defect 11)")
    func maxDataAge() throws {
        let kept = try Self.rowAfterFailedPolls(maxDataAge: "T#10s")
        #expect(kept.count == 13 && !kept.contains(""), "\(kept)")
        let emptied = try Self.rowAfterFailedPolls(maxDataAge: "T#2s")
        #expect(emptied.count == 13 && emptied.allSatisfy(\.isEmpty), "\(emptied)")
    }
}
