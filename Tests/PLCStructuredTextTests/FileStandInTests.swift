import Foundation
import PLCCore
import Testing
@testable import PLCStructuredText

/// The CAA File stand-ins run over POSIX in a scratch folder, with the ETrig execute behaviour.
@Suite struct FileStandInTests {
    func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-files-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func openWriteCloseWithTheExecuteBehaviour() throws {
        let source = """
            FUNCTION_BLOCK T
            VAR_OUTPUT iState : INT; xOpenBusy : BOOL; xOpenDone : BOOL; eError : FILE.ERROR; END_VAR
            VAR fbDir : FILE.DirCreate; fbOpen : FILE.Open; fbWrite : FILE.Write; fbClose : FILE.Close;
                h : CAA.HANDLE; sLine : STRING := 'hello$N'; END_VAR
            CASE iState OF
                0: fbDir(xExecute := TRUE, sDirName := 'a/b', xParent := TRUE);
                   IF fbDir.xDone THEN fbDir(xExecute := FALSE); iState := 1; END_IF
                1: fbOpen(xExecute := TRUE, sFileName := 'a/b/f.txt', eFileMode := FILE.MODE.MAPPD);
                   xOpenBusy := fbOpen.xBusy; xOpenDone := fbOpen.xDone;
                   IF fbOpen.xDone THEN h := fbOpen.hFile; fbOpen(xExecute := FALSE); iState := 2; END_IF
                2: fbWrite(xExecute := TRUE, hFile := h, pBuffer := ADR(sLine), szSize := LEN(sLine));
                   IF fbWrite.xDone THEN fbWrite(xExecute := FALSE); iState := 3; END_IF
                3: fbClose(xExecute := TRUE, hFile := h);
                   IF fbClose.xDone THEN fbClose(xExecute := FALSE); iState := 4; END_IF
                4: fbOpen(xExecute := TRUE, sFileName := 'missing/f.txt', eFileMode := FILE.MODE.MREAD);
                   IF fbOpen.xError THEN eError := fbOpen.eError; iState := 5; END_IF
            END_CASE
            END_FUNCTION_BLOCK
            """
        let root = try scratch()
        let machine = try STLibrary.load(sources: [("t.st", source)]).makeMachine()
        machine.fileRoot = root
        let t = try #require(machine.instantiate("T"))
        var busySeen = false
        for i in 0..<2000 where t.value(of: "iState") != .int(5) {
            t.execute(ScanContext(time: Int64(i) * 10))
            if t.value(of: "xOpenBusy") == .bool(true) && t.value(of: "xOpenDone") == .bool(false) { busySeen = true }
            Thread.sleep(forTimeInterval: 0.001)     // the jobs run on the file thread
        }
        #expect(busySeen)                       // a job takes a call: xBusy first, xDone in the next
        #expect(t.value(of: "iState") == .int(5))
        #expect(t.value(of: "eError") == .int(5104))     // FILE.ERROR.NOT_EXIST
        #expect(try String(contentsOfFile: root + "/a/b/f.txt", encoding: .utf8) == "hello\n")
    }

    @Test func withoutAFileSystemTheBlocksFail() throws {
        let source = """
            FUNCTION_BLOCK T
            VAR_OUTPUT xError : BOOL; eError : FILE.ERROR; END_VAR
            VAR fbOpen : FILE.Open; END_VAR
            fbOpen(xExecute := TRUE, sFileName := 'f.txt');
            xError := fbOpen.xError; eError := fbOpen.eError;
            END_FUNCTION_BLOCK
            """
        let t = try run(source, scans: [ScanContext(time: 0), ScanContext(time: 10)])
        #expect(t.value(of: "xError") == .bool(true))
        #expect(t.value(of: "eError") == .int(5112))     // NOT_IMPLEMENTED: no file system attached
    }

    /// st-reference's CSVLogger on a machine whose files live in `root`, writing `csv/log_<day>.csv`
    /// with these columns (name, value, decimals).
    func csvLogger(root: String, columns: [(String, Double, Int64)]) throws -> (STMachine, STInstance) {
        let library = try STLibrary.load(folder: repositoryRoot + "/st-reference", root: "CSVLogger")
        let machine = library.makeMachine()
        machine.fileRoot = root
        let logger = try #require(machine.instantiate("CSVLogger"))
        func set(_ name: String, _ value: IECValue) { logger[pin: logger.interface.index(of: name)!] = value }
        let rest = 16 - columns.count
        set("sFolder", .string("csv"))
        set("sPrefix", .string("log"))
        set("sColumns", .string(columns.map(\.0).joined(separator: ",")))
        set("alrValues", .array(columns.map { .real($0.1) } + Array(repeating: .real(0), count: rest)))
        set("auiDecimals", .array(columns.map { .int($0.2) } + Array(repeating: .int(0), count: rest)))
        return (machine, logger)
    }

    /// The CSVLogger twin writes its rows with CAA File, and (issue 11, finding 8) creates its folder
    /// first (FILE.DirCreate), as the Swift block does.
    @Test func csvLoggerTwinCreatesItsFolderAndWritesRows() throws {
        let root = try scratch()
        let (_, logger) = try csvLogger(root: root, columns: [("a", 1.25, 2), ("b", -3, 0)])
        func set(_ name: String, _ value: IECValue) { logger[pin: logger.interface.index(of: name)!] = value }
        let noon: Int64 = 1_764_244_800_000                  // 2025-11-27 12:00:00 local
        var t: Int64 = 0
        /// Scans 100 ms of scan time apart (1 ms of real time for the file thread) until `done`.
        func scans(until done: () -> Bool) {
            for _ in 0..<3000 where !done() {
                logger.execute(ScanContext(time: t, wallClock: noon + t))
                t += 100
                Thread.sleep(forTimeInterval: 0.001)
            }
        }
        set("xExecute", .bool(true))
        scans { logger.value(of: "udiRowsWritten") == .int(1) }   // folder, open, size, header, row, flush, close
        #expect(logger.value(of: "xFault") == .bool(false), "\(logger.value(of: "sError") ?? .string(""))")
        #expect(logger.value(of: "udiRowsWritten") == .int(1))
        let text = try String(contentsOfFile: root + "/csv/log_2025-11-27.csv", encoding: .utf8)
        #expect(text == "timestamp,a,b\n2025-11-27 12:00:00,1.25,-3\n")
    }

    /// The CSVLogger twin keeps the Swift logger's cadence: the day's file stays open, steps whose CAA
    /// File block is done go on in the same scan, so a row is one write and one flush (two scans of
    /// the stand-ins, which finish a job in the call after the one that starts it); a 1 s LogInterval
    /// at a 100 ms task keeps every row. A row that comes while the previous one is written is queued;
    /// a new day closes the old file and starts a new one with its header.
    @Test func csvLoggerTwinKeepsARowPerSecondAtA100msTask() throws {
        let root = try scratch()
        let (machine, logger) = try csvLogger(root: root, columns: [("a", 1.5, 1)])
        func set(_ name: String, _ value: IECValue) { logger[pin: logger.interface.index(of: name)!] = value }
        let evening: Int64 = 1_764_287_990_000               // 2025-11-27 23:59:50 local
        var scan: Int64 = 0
        /// One scan at 100 ms per scan; then every file job it started has run, so each job takes
        /// exactly one more scan (the stand-ins' fastest).
        func step(_ execute: Bool) {
            set("xExecute", .bool(execute))
            logger.execute(ScanContext(time: scan * 100, wallClock: evening + scan * 100))
            machine.env.fileJobs.waitUntilIdle()
            scan += 1
        }
        /// Scans from a rising xExecute (held) until xDone; how many.
        func row() -> Int {
            var n = 0
            repeat { step(true); n += 1 } while logger.value(of: "xDone") != .bool(true) && n < 50
            return n
        }
        var scansPerRow: [Int] = []
        for _ in 0..<20 {                                    // one row a second: 23:59:50 to 00:00:09
            let n = row()
            scansPerRow.append(n)
            for _ in n..<max(n, 10) { step(false) }
        }
        #expect(logger.value(of: "xFault") == .bool(false), "\(logger.value(of: "sError") ?? .string(""))")
        #expect(logger.value(of: "udiRowsWritten") == .int(20))
        // First row of a day: folder, open, size, header, row, flush; the day change adds the close.
        #expect(scansPerRow.count == 20 && scansPerRow[0] <= 7 && scansPerRow[10] <= 8, "\(scansPerRow)")
        #expect(scansPerRow.enumerated().allSatisfy { $0.offset % 10 == 0 || $0.element == 3 }, "\(scansPerRow)")
        let day1 = try String(contentsOfFile: root + "/csv/log_2025-11-27.csv", encoding: .utf8)
        let day2 = try String(contentsOfFile: root + "/csv/log_2025-11-28.csv", encoding: .utf8)
        #expect(day1.split(separator: "\n").count == 11 && day1.hasPrefix("timestamp,a\n2025-11-27 23:59:50,1.5\n"))
        #expect(day2.split(separator: "\n").count == 11 && day2.hasPrefix("timestamp,a\n2025-11-28 00:00:00,1.5\n"))

        // Two rows in quick succession: the second edge comes in the scan in which the first row's
        // job ends; that scan shows the first row's xDone (the handshake ignores the edge), and the
        // second row is queued and written all the same.
        step(true)
        step(false)
        step(true)
        #expect(logger.value(of: "xDone") == .bool(true) && logger.value(of: "xBusy") == .bool(false))
        #expect(logger.value(of: "udiRowsQueued") == .int(1))
        for _ in 0..<10 { step(false) }
        #expect(logger.value(of: "udiRowsWritten") == .int(22))
        #expect(logger.value(of: "udiRowsQueued") == .int(0))
    }
}
