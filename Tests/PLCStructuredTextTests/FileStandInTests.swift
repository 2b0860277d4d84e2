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

    /// The CSVLogger twin writes its rows with CAA File, and (issue 11, finding 8) creates its folder
    /// first (FILE.DirCreate), as the Swift block does.
    @Test func csvLoggerTwinCreatesItsFolderAndWritesRows() throws {
        let root = try scratch()
        let library = try STLibrary.load(folder: repositoryRoot + "/st-reference", root: "CSVLogger")
        let machine = library.makeMachine()
        machine.fileRoot = root
        let logger = try #require(machine.instantiate("CSVLogger"))
        func set(_ name: String, _ value: IECValue) { logger[pin: logger.interface.index(of: name)!] = value }
        set("sFolder", .string("csv"))
        set("sPrefix", .string("log"))
        set("sColumns", .string("a,b"))
        set("alrValues", .array([.real(1.25), .real(-3)] + Array(repeating: .real(0), count: 14)))
        set("auiDecimals", .array([.int(2), .int(0)] + Array(repeating: .int(0), count: 14)))
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
}
