import Foundation
import PLCCore
import Testing
@testable import PLCStructuredText

/// The Codesys library declarations come from their documentation, and the review's findings on
/// st-reference/ stay fixed: each test here fails on the file (or declaration) as it was before.
@Suite struct LibraryInterfaceTests {
    /// Every `.st` file of st-reference/, as (path, text).
    static func reference() throws -> [(path: String, text: String)] {
        let folder = repositoryRoot.pathAppending("st-reference")
        return try STLibrary.sourceFiles(in: folder).map { ($0, try String(contentsOfFile: $0, encoding: .utf8)) }
    }

    @Test("every library declaration cites a Codesys help page and follows a stated version")
    func declarationsCiteTheirPages() {
        #expect(LibraryInterface.all.map(\.name) == ["ModbusFB", "SysCom", "CAA Types Extern", "CAA File", "SysTimeRtc", "CmpLog"])
        for library in LibraryInterface.all + [LibraryInterface.standard] {
            #expect(library.version.split(separator: ".").count == 4, "\(library.name) \(library.version)")
            #expect(library.index.hasPrefix("https://content.helpme-codesys.com/en/libs/"), "\(library.name)")
            for entry in library.entries {
                #expect(entry.page.hasPrefix("https://content.helpme-codesys.com/en/libs/"), "\(library.name): \(entry.page)")
                #expect(!entry.source.isEmpty)
            }
        }
    }

    @Test("RTS_SYSTIMEDATE (the runtime's C name) is an error naming the documented SYSTIMEDATE")
    func runtimeNameIsRejected() {
        let old = "FUNCTION F : LINT\nVAR\n    stLocal : RTS_SYSTIMEDATE;\nEND_VAR\nF := 0;\nEND_FUNCTION\n"
        let page = LibraryInterface.documentedNames["RTS_SYSTIMEDATE"]!.page
        #expect(diagnostics(old, file: "F_LocalTimeMs.st") == [
            "F_LocalTimeMs.st:3:15: unknown type 'RTS_SYSTIMEDATE': the library documentation names it 'SYSTIMEDATE' (\(page))",
        ])
        #expect(diagnostics(old.replacingOccurrences(of: "RTS_SYSTIMEDATE", with: "SYSTIMEDATE")) == [])
    }

    @Test("st-reference/ checks clean against the documented libraries")
    func referenceChecksClean() throws {
        #expect(STLibrary.check(sources: try Self.reference()).map(\.description) == [])
    }

    @Test("CAA File's ERROR values and CAA.gc_hINVALID are the documented names; the old guesses are errors")
    func caaFileNames() {
        let text = """
            FUNCTION_BLOCK T
            VAR e : FILE.ERROR; h : CAA.HANDLE := CAA.gc_hINVALID; END_VAR
            e := FILE.ERROR.HANDLE_INVALID;
            e := FILE.ERROR.READ_ONLY_CAA;
            e := FILE.ERROR.FILE_NOT_IMPLEMENTED;
            e := FILE.ERROR.HANDLE;
            e := FILE.ERROR.READ_ONLY;
            END_FUNCTION_BLOCK
            """
        #expect(diagnostics(text) == [
            "t.st:6:17: 'ERROR' has no value 'HANDLE'",
            "t.st:7:17: 'ERROR' has no value 'READ_ONLY'",
        ])
    }

    @Test("SysCom's enumerations and E_RegFormat/E_WordOrder are strict: a number is an error, as rx380_main.st:68 had it")
    func strictEnumerations() throws {
        let old = """
            PROGRAM P
            VAR meter : ModbusFB.ClientSerial; END_VAR
            meter(xConnect := TRUE, iPort := 1, dwBaudrate := 19200, eParity := 2, eStopBits := 1);
            meter(xConnect := TRUE, iPort := SysCom.SYS_COM_PORTS.SYS_COMPORT1, eParity := SysCom.SYS_COM_PARITY.SYS_EVENPARITY);
            END_PROGRAM
            """
        #expect(diagnostics(old) == [
            "t.st:3:34: cannot convert type 'DINT' to type 'SYS_COM_PORTS'",
            "t.st:3:51: cannot convert type 'DINT' to type 'SYS_COM_BAUDRATE'",
            "t.st:3:69: cannot convert type 'DINT' to type 'SYS_COM_PARITY'",
            "t.st:3:85: cannot convert type 'DINT' to type 'SYS_COM_STOPBITS'",
        ])
        let reference = try Self.reference()
        let order = try #require(reference.first { $0.path.hasSuffix("E_WordOrder.st") })
        let use = ("u.st", "FUNCTION F : INT\nVAR e : E_WordOrder; END_VAR\ne := 1;\ne := E_WordOrder.CDAB;\ne := CDAB;\nEND_FUNCTION\n")
        #expect(STLibrary.check(sources: [order, use]).map(\.description) == [
            "u.st:3:6: cannot convert type 'DINT' to type 'E_WordOrder'",
            "u.st:5:6: 'CDAB' must be qualified: E_WordOrder.CDAB ('E_WordOrder' is qualified_only)",
        ])
    }

    @Test("a literal longer than its STRING is an error: plain STRING is STRING(80), as MqttPublish.st:34 had it")
    func stringLiteralsFit() {
        let long = String(repeating: "x", count: 84)
        let text = "FUNCTION_BLOCK T\nVAR s : STRING; l : STRING(255); END_VAR\ns := '\(long)';\nl := '\(long)';\nEND_FUNCTION_BLOCK\n"
        #expect(diagnostics(text) == ["t.st:3:6: warning: a string of 84 characters does not fit type 'STRING' and is cut"])
    }

    @Test("FILE.Write fails when its buffer changes while it is busy, so CSVLogger builds rows elsewhere")
    func writeBufferMustStay() throws {
        let source = """
            FUNCTION_BLOCK T
            VAR_INPUT xChange : BOOL; END_VAR
            VAR_OUTPUT iState : INT; eError : FILE.ERROR; END_VAR
            VAR fbOpen : FILE.Open; fbWrite : FILE.Write; h : CAA.HANDLE; sLine : STRING := 'row 1$N'; END_VAR
            CASE iState OF
                0: fbOpen(xExecute := TRUE, sFileName := 'f.csv', eFileMode := FILE.MODE.MAPPD);
                   IF fbOpen.xDone THEN h := fbOpen.hFile; fbOpen(xExecute := FALSE); iState := 1; END_IF
                1: fbWrite(xExecute := TRUE, hFile := h, pBuffer := ADR(sLine), szSize := LEN(sLine));
                   IF xChange THEN sLine := 'row 2$N'; END_IF
                   IF fbWrite.xDone OR fbWrite.xError THEN eError := fbWrite.eError; fbWrite(xExecute := FALSE); iState := 2; END_IF
            END_CASE
            END_FUNCTION_BLOCK
            """
        for change in [false, true] {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("st-buffer-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: root) }
            let machine = try STLibrary.load(sources: [("t.st", source)]).makeMachine()
            machine.fileRoot = root
            let t = try #require(machine.instantiate("T"))
            t[pin: t.interface.index(of: "xChange")!] = .bool(change)
            for i in 0..<2000 where t.value(of: "iState") != .int(2) {
                t.execute(ScanContext(time: Int64(i) * 10))
                Thread.sleep(forTimeInterval: 0.001)
            }
            #expect(t.value(of: "iState") == .int(2))
            #expect(t.value(of: "eError") == .int(change ? 5109 : 0))     // FILE.ERROR.WRONG_PARAMETER
        }
    }

    @Test("CSVLogger.st never changes the buffer of a running FILE.Write (it builds the row in sRow)")
    func csvLoggerKeepsItsWriteBuffer() throws {
        let csv = try #require(try Self.reference().first { $0.path.hasSuffix("CSVLogger.st") }).text
        let body = try #require(csv.components(separatedBy: "IF xNewRow THEN").dropFirst().first)
        let newRow = try #require(body.components(separatedBy: "asPaths[uiSlot]").first)
        #expect(!newRow.contains("sLine"))
        #expect(csv.contains("FILE.ERROR.EXIST") && !csv.contains("5105"))
        #expect(csv.contains("CAA.gc_hINVALID") && !csv.contains("hFile := 0;"))
    }
}

/// ScanClock and F_LocalTimeMs over the SysTimeRtc stand-ins: a DST change moves the local clock by
/// the offset; an RTC error (ERR_NOTIMPLEMENTED) keeps it running from TIME() and shows the fault.
@Suite struct ClockTwinTests {
    @Test func dstChangeAndRtcError() throws {
        let machine = try STLibrary.load(sources: try LibraryInterfaceTests.reference()).makeMachine()
        let clock = try #require(machine.instantiate("ScanClock"))
        let wall: Int64 = 1_774_746_000_000           // 2026-03-29 01:00:00 UTC, the EU's change to summer time
        func local() -> IECValue? { machine.global("GVL_Scan.liLocalMs") }
        clock.execute(ScanContext(time: 10_000, wallClock: wall, utcOffset: 3600))
        #expect(local() == .int(wall + 3_600_000))
        #expect(machine.global("GVL_Scan.xClockFault") == .bool(false))
        clock.execute(ScanContext(time: 11_000, wallClock: wall + 1000, utcOffset: 7200))      // CET -> CEST
        #expect(local() == .int(wall + 1000 + 7_200_000))
        machine.rtcResult = 7      // a failure result (the value is the test's; any non-zero result is a failure)
        clock.execute(ScanContext(time: 11_250, wallClock: 0, utcOffset: 7200))
        #expect(machine.global("GVL_Scan.xClockFault") == .bool(true))
        #expect(machine.global("GVL_Scan.udiClockResult") == .int(7))
        #expect(local() == .int(wall + 1000 + 7_200_000 + 250))      // on from TIME(), not frozen, not zero
        machine.rtcResult = 0
        clock.execute(ScanContext(time: 11_500, wallClock: wall + 1500, utcOffset: 7200))
        #expect(machine.global("GVL_Scan.xClockFault") == .bool(false))
        #expect(local() == .int(wall + 1500 + 7_200_000))
    }
}

/// A ModbusFB bus whose every request ends with the scripted result (the fault script of a test).
final class ScriptedBus: STModbusBus, @unchecked Sendable {
    var result: STModbusResult
    var requests = 0
    init(_ result: STModbusResult) { self.result = result }
    var isConnected: Bool { true }
    func startRead(slave: Int, function: UInt8, address: Int, count: Int) -> Int {
        requests += 1
        return requests
    }
    func poll(_ ticket: Int) -> STModbusResult? { result }
    func cancel(_ ticket: Int) {}
}

/// ModbusRead.st over a scripted ModbusFB: each fault the library reports gets its own code.
@Suite struct ModbusReadTwinTests {
    static let harness = """
        FUNCTION_BLOCK Harness
        VAR_INPUT xGo : BOOL; END_VAR
        VAR_OUTPUT udiErrorID : UDINT; xError : BOOL; xDone : BOOL; END_VAR
        VAR meter : ModbusFB.ClientTCP; fbRead : ModbusRead; END_VAR
        meter(xConnect := TRUE);
        fbRead(rClient := meter, xExecute := xGo, uiStartItem := 4000, uiQuantity := 2, uiUnitId := 1, usiFunction := 4);
        udiErrorID := fbRead.udiErrorID; xError := fbRead.xError; xDone := fbRead.xDone;
        END_FUNCTION_BLOCK
        """

    func read(_ result: STModbusResult) throws -> STInstance {
        let library = try STLibrary.load(sources: try LibraryInterfaceTests.reference() + [("harness.st", Self.harness)])
        let machine = library.makeMachine()
        let bus = ScriptedBus(result)
        machine.modbus = bus
        let t = try #require(machine.instantiate("Harness"))
        t[pin: t.interface.index(of: "xGo")!] = .bool(true)
        for i in 0..<50 where t.value(of: "xError") != .bool(true) && t.value(of: "xDone") != .bool(true) {
            t.execute(ScanContext(time: Int64(i) * 10))
        }
        return t
    }

    @Test("timeout, exception, CRC (dropped by ModbusFB, so a timeout), licence and internal error",
          arguments: [(100, 100), (2, 2), (101, 100), (106, 106), (107, 107)] as [(UInt32, Int64)])
    func faults(script: UInt32, expected: Int64) throws {
        let t = try read(.failure(code: script))
        #expect(t.value(of: "xError") == .bool(true))
        #expect(t.value(of: "udiErrorID") == .int(expected))
    }

    @Test func goodReply() throws {
        let t = try read(.registers([1, 2]))
        #expect(t.value(of: "xDone") == .bool(true))
        #expect(t.value(of: "udiErrorID") == .int(0))
    }
}
