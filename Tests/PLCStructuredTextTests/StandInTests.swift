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
            FUNCTION_BLOCK T
            VAR_OUTPUT wYear : UINT; wMonth : UINT; wDay : UINT; wHour : UINT; wDayOfWeek : UINT;
                wYday : UINT; dwLocal : DWORD; END_VAR
            VAR ul : ULINT; st : RTS_SYSTIMEDATE; r : UDINT; END_VAR
            r := SysTimeRtcHighResGet(ul);
            r := SysTimeRtcConvertHighResToLocal(ul, st);
            r := SysTimeRtcConvertUtcToLocal(1000, dwLocal);
            wYear := st.wYear; wMonth := st.wMonth; wDay := st.wDay; wHour := st.wHour;
            wDayOfWeek := st.wDayOfWeek; wYday := st.wYday;
            END_FUNCTION_BLOCK
            """
        // 2025-11-27 20:30:00 UTC, Malaysia (UTC+8): 2025-11-28 04:30 local, a Friday, day 332 of the year.
        let t = try run(source, scans: [ScanContext(wallClock: 1_764_275_400_000, utcOffset: 28_800)])
        #expect(t.value(of: "wYear") == .int(2025))
        #expect(t.value(of: "wMonth") == .int(11))
        #expect(t.value(of: "wDay") == .int(28))
        #expect(t.value(of: "wHour") == .int(4))
        #expect(t.value(of: "wDayOfWeek") == .int(5))
        #expect(t.value(of: "wYday") == .int(332))
        #expect(t.value(of: "dwLocal") == .int(29_800))
    }
}
