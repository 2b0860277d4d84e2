import PLCCore
import Testing
@testable import PLCStructuredText

/// The engine's watchdog: a scan that runs past `ScanContext.watchdog` returns from wherever it is.
@Suite struct WatchdogTests {
    static let budget: Int64 = 50_000_000    // 50 ms

    static let source = """
        FUNCTION Spin : DINT
        VAR_INPUT n : DINT; END_VAR
        VAR i : DINT; END_VAR
        WHILE n > 0 DO i := i + 1; END_WHILE
        Spin := i;
        END_FUNCTION
        FUNCTION_BLOCK Inner
        VAR_INPUT xSpin : BOOL; END_VAR
        VAR_OUTPUT n : DINT; END_VAR
        REPEAT
            IF xSpin THEN n := n + Spin(1); ELSE n := n + 1; END_IF
        UNTIL n > 10 END_REPEAT
        END_FUNCTION_BLOCK
        FUNCTION_BLOCK T
        VAR_INPUT xSpin : BOOL; END_VAR
        VAR_OUTPUT before, after, iterations : DINT; END_VAR
        VAR inner : Inner; k : DINT; END_VAR
        before := before + 1;
        FOR k := 1 TO 3 DO
            iterations := iterations + 1;
            inner(xSpin := xSpin);
        END_FOR
        after := after + 1;
        END_FUNCTION_BLOCK
        """

    @Test("an endless loop deep in calls is aborted: the scan returns, the rest of the body is skipped, the next scan runs")
    func endlessLoopInAFunctionIsAborted() throws {
        let library = try STLibrary.load(sources: [("t.st", Self.source)])
        let instance = try #require(library.functionBlock("T")).instantiate()
        instance[pin: try #require(instance.interface.index(of: "xSpin"))] = .bool(true)
        instance.execute(ScanContext(watchdog: Self.budget))
        #expect(instance.watchdogAborts == 1)
        #expect(instance.value(of: "before") == .int(1))
        #expect(instance.value(of: "after") == .int(0), "the statements after the aborted loop must not run")
        #expect(instance.value(of: "iterations") == .int(1), "the FOR loop must not go on after the abort")
        let fault = try #require(instance.takeWatchdogFault())
        #expect(fault.contains("t.st:4:"), "\(fault)")
        #expect(instance.takeWatchdogFault() == nil, "the fault is reported once")
        // The next scan starts afresh: without the endless loop it runs to the end.
        instance[pin: try #require(instance.interface.index(of: "xSpin"))] = .bool(false)
        instance.execute(ScanContext(watchdog: Self.budget))
        #expect(instance.watchdogAborts == 1)
        #expect(instance.value(of: "after") == .int(1))
    }

    @Test("a long loop within the limit runs to the end")
    func longLoopWithinTheLimitCompletes() throws {
        let instance = try run("""
            FUNCTION_BLOCK T
            VAR_OUTPUT n : DINT; END_VAR
            VAR i : DINT; END_VAR
            FOR i := 1 TO 100000 DO n := n + 1; END_FOR
            END_FUNCTION_BLOCK
            """, scans: [ScanContext(watchdog: 10_000_000_000)])
        #expect(instance.value(of: "n") == .int(100_000))
        #expect(instance.watchdogAborts == 0)
    }
}
