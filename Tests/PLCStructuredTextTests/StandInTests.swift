import PLCCore
import Testing
@testable import PLCStructuredText

/// The Codesys library stand-ins keep their documented signatures: wrong calls are check errors.
@Suite struct StandInTests {
    /// The body of st-reference/F_LocalTimeMs.st before issue 11 (pointers passed to VAR_IN_OUT parameters).
    static let oldLocalTime = """
        FUNCTION F_LocalTimeMs : LINT
        VAR
            ulUtcMs : ULINT := 0;
            udiUtc : UDINT := 0;
            udiLocal : UDINT := 0;
            udiResult : UDINT := 0;
        END_VAR
        udiResult := SysTimeRtcHighResGet(pTimestamp := ADR(ulUtcMs));
        udiUtc := ULINT_TO_UDINT(ulUtcMs / 1000);
        udiResult := SysTimeRtcConvertUtcToLocal(udiUtc, ADR(udiLocal));
        F_LocalTimeMs := ULINT_TO_LINT(ulUtcMs) + (UDINT_TO_LINT(udiLocal) - UDINT_TO_LINT(udiUtc)) * 1000;
        END_FUNCTION
        """

    @Test func sysTimeRtcTakesVariablesForItsInOutParameters() {
        #expect(diagnostics(Self.oldLocalTime, file: "F_LocalTimeMs.st") == [
            "F_LocalTimeMs.st:8:49: VAR_IN_OUT 'pTimestamp' of 'SysTimeRtcHighResGet' needs a variable of type 'ULINT', not an expression of type 'POINTER TO ULINT'",
            "F_LocalTimeMs.st:10:50: VAR_IN_OUT 'pdwTimestampLocal' of 'SysTimeRtcConvertUtcToLocal' needs a variable of type 'DWORD', not an expression of type 'POINTER TO UDINT'",
        ])
        let fixed = """
            FUNCTION F_LocalTimeMs : LINT
            VAR ulUtcMs : ULINT; stLocal : SYSTIMEDATE; dwLocal : DWORD; udiLocal : UDINT; udiResult : UDINT; END_VAR
            udiResult := SysTimeRtcHighResGet(pTimestamp := ulUtcMs);
            udiResult := SysTimeRtcConvertHighResToLocal(pTimestamp := ulUtcMs, pDate := stLocal);
            udiResult := SysTimeRtcConvertUtcToLocal(16#1000, dwLocal);
            udiResult := SysTimeRtcConvertUtcToLocal(16#1000, udiLocal);
            F_LocalTimeMs := stLocal.wHour;
            END_FUNCTION
            """
        #expect(diagnostics(fixed) == [
            "t.st:6:51: VAR_IN_OUT 'pdwTimestampLocal' of 'SysTimeRtcConvertUtcToLocal' needs a variable of type 'DWORD', not 'UDINT'",
        ])
    }

    @Test func modbusRequestsKeepTheirDocumentedDefaultsAndTypes() throws {
        let library = try STLibrary.load(sources: [])
        let request = try #require(library.functionBlock("ModbusFB.ClientRequestReadInputRegisters")).instantiate()
        #expect(request.value(of: "udiReplyTimeout") == .int(50_000))      // µs: 50 ms
        #expect(request.value(of: "uiUnitId") == .int(0))
        #expect(request.value(of: "uiQuantity") == .int(1))
        let text = """
            FUNCTION_BLOCK T
            VAR
                meter : ModbusFB.ClientSerial;
                fb : ModbusFB.ClientRequestReadHoldingRegisters;
                awReply : ARRAY[0..124] OF WORD;
                e : ModbusFB.Error;
                i : INT;
            END_VAR
            meter(xConnect := TRUE);
            fb(rClient := meter, xExecute := TRUE, pData := ADR(awReply), udiReplyTimeout := 500000);
            fb(rClient := meter, pData := awReply);
            fb(rClient := i, xExecute := FALSE);
            fb(xExecute := FALSE);
            e := ModbusFB.Error.ReplyTimeout;
            e := ModbusFB.Error.Timeout;
            END_FUNCTION_BLOCK
            """
        #expect(diagnostics(text) == [
            "t.st:11:31: cannot convert type 'ARRAY[0..124] OF WORD' to type 'POINTER TO BYTE'",
            "t.st:12:15: VAR_IN_OUT 'rClient' of 'ClientRequestReadHoldingRegisters' needs a variable of type 'Client', not 'INT'",
            "t.st:13:1: VAR_IN_OUT 'rClient' of 'ClientRequestReadHoldingRegisters' must be assigned in the call",
            "t.st:15:21: 'Error' has no value 'Timeout'",
        ])
    }

    @Test func caaFileBlocksHaveTheirPins() {
        let text = """
            FUNCTION_BLOCK T
            VAR fbOpen : FILE.Open; fbWrite : FILE.Write; fbDir : FILE.DirCreate; h : CAA.HANDLE; s : STRING; END_VAR
            fbOpen(xExecute := TRUE, sFileName := 'a.csv', eFileMode := FILE.MODE.MAPPD);
            h := fbOpen.hFile;
            fbWrite(xExecute := TRUE, hFile := h, pBuffer := ADR(s), szSize := LEN(s));
            fbDir(xExecute := TRUE, sDirName := 'csv', xParent := TRUE);
            fbOpen(xExecute := TRUE, sFile := 'a.csv', eFileMode := FILE.MODE.APPEND);
            fbWrite(xExecute := TRUE, hFile := h, pBuffer := s);
            END_FUNCTION_BLOCK
            """
        #expect(diagnostics(text) == [
            "t.st:7:26: 'Open' has no parameter 'sFile'",
            "t.st:7:67: 'MODE' has no value 'APPEND'",
            "t.st:8:50: cannot convert type 'STRING' to type 'POINTER TO BYTE'",
        ])
    }
}

/// The SysTimeRtc stand-ins read the scan's wall clock and time zone.
@Suite struct TimeStandInTests {
    @Test func localTimeFromTheScanContext() throws {
        let source = """
            FUNCTION_BLOCK T
            VAR_OUTPUT wYear : UINT; wMonth : UINT; wDay : UINT; wHour : UINT; wDayOfWeek : UINT;
                wYday : UINT; dwLocal : DWORD; dwSeconds : DWORD; END_VAR
            VAR ul : ULINT; st : SYSTIMEDATE; r : UDINT; END_VAR
            r := SysTimeRtcHighResGet(ul);
            r := SysTimeRtcConvertHighResToLocal(ul, st);
            r := SysTimeRtcConvertUtcToLocal(1000, dwLocal);
            dwSeconds := SysTimeRtcGet(r);
            wYear := st.wYear; wMonth := st.wMonth; wDay := st.wDay; wHour := st.wHour;
            wDayOfWeek := st.wDayOfWeek; wYday := st.wYday;
            END_FUNCTION_BLOCK
            """
        // 2025-11-27 20:30:00 UTC, Malaysia (UTC+8): 2025-11-28 04:30 local, a Friday (Monday is 1),
        // day 332 of the year.
        let t = try run(source, scans: [ScanContext(wallClock: 1_764_275_400_000, utcOffset: 28_800)])
        #expect(t.value(of: "wYear") == .int(2025))
        #expect(t.value(of: "wMonth") == .int(11))
        #expect(t.value(of: "wDay") == .int(28))
        #expect(t.value(of: "wHour") == .int(4))
        #expect(t.value(of: "wDayOfWeek") == .int(5))
        #expect(t.value(of: "wYday") == .int(332))
        #expect(t.value(of: "dwLocal") == .int(29_800))
        #expect(t.value(of: "dwSeconds") == .int(1_764_275_400))
    }
}
