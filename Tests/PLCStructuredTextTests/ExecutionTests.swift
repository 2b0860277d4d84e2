import PLCCore
import Testing
@testable import PLCStructuredText

/// Statements, operators and the Standard library's functions, run in the engine.
@Suite struct ExecutionTests {
    @Test(arguments: [("REAL_TO_INT(-1.5)", Int64(-2)), ("REAL_TO_INT(2.5)", 3), ("REAL_TO_INT(-2.4)", -2),
                      ("LREAL_TO_DINT(1.5)", 2), ("TRUNC(-2.7)", -2), ("WORD_TO_INT(16#FFFF)", -1),
                      ("DINT_TO_INT(70000)", 4464), ("SHL(16#01, 3)", 8), ("SHR(16#80, 7)", 1),
                      ("WORD_TO_INT(ROL(WORD#16#1234, 8))", 0x3412), ("WORD_TO_INT(ROR(WORD#16#0001, 1))", -32768),
                      ("LIMIT(0, 17, 10)", 10), ("MIN(4, 2, 9)", 2), ("MAX(4, 2, 9)", 9), ("SEL(TRUE, 1, 2)", 2),
                      ("MUX(2, 5, 6, 7)", 7), ("ABS(-5)", 5), ("7 MOD 3", 1), ("-7 / 2", -3), ("2 + 3 * 4", 14),
                      ("(2 + 3) * 4", 20), ("LEN('hello')", 5), ("FIND('abcabc', 'ca')", 3),
                      ("TIME_TO_DINT(T#1m30s)", 90000), ("STRING_TO_INT('42')", 42), ("BOOL_TO_INT(TRUE)", 1)])
    func integerFunctions(_ expression: String, _ expected: Int64) throws {
        #expect(try evaluate(expression, "DINT") == .int(expected))
    }

    @Test(arguments: [("CONCAT('ab', 'cd')", "abcd"), ("LEFT('hello', 2)", "he"), ("RIGHT('hello', 3)", "llo"),
                      ("MID('hello', 3, 2)", "ell"), ("INSERT('held', 'l', 3)", "helld"), ("DELETE('hello', 2, 2)", "hlo"),
                      ("REPLACE('hello', 'YY', 2, 2)", "hYYlo"), ("TIME_TO_STRING(T#3m30s)", "T#3m30s"),
                      ("TIME_TO_STRING(T#0s)", "T#0ms"), ("DINT_TO_STRING(-12)", "-12"), ("BOOL_TO_STRING(FALSE)", "FALSE"),
                      ("DT_TO_STRING(DT#2026-11-25-18:41:30)", "DT#2026-11-25-18:41:30"), ("'it$'s$N'", "it's\n")])
    func stringFunctions(_ expression: String, _ expected: String) throws {
        #expect(try evaluate(expression, "STRING(255)") == .string(expected))
    }

    @Test func stringsStopAt255CharactersAndTheirDeclaredLength() throws {
        let long = String(repeating: "x", count: 200)
        let concat = try evaluate("CONCAT('\(long)', '\(long)')", "STRING(255)")
        #expect(concat.string.count == 255)
        #expect(try evaluate("'abcdef'", "STRING(4)") == .string("abcd"))
    }

    @Test func realArithmeticIsSinglePrecisionForREAL() throws {
        #expect(try evaluate("REAL#0.1 + REAL#0.2", "REAL").real == Double(Float(0.1) + Float(0.2)))
        #expect(try evaluate("0.1 + 0.2", "LREAL").real == 0.1 + 0.2)
        #expect(try evaluate("SQRT(16.0)", "LREAL") == .real(4))
        #expect(try evaluate("EXPT(10.0, 3)", "LREAL") == .real(1000))
    }

    @Test func timeWrapsAt32Bits() throws {
        // TIME is 32-bit in Codesys: T#0MS - T#1MS is 2^32 - 1 ms, and differences survive the wrap.
        #expect(try evaluate("T#0MS - T#1MS", "TIME") == .time(4_294_967_295))
        let source = """
            FUNCTION_BLOCK T
            VAR_OUTPUT tNow : TIME; tElapsed : TIME; END_VAR
            VAR tStart : TIME; xStarted : BOOL; END_VAR
            tNow := TIME();
            IF NOT xStarted THEN tStart := tNow; xStarted := TRUE; END_IF
            tElapsed := tNow - tStart;
            END_FUNCTION_BLOCK
            """
        let wrap: Int64 = 1 << 32
        let t = try run(source, scans: [ScanContext(time: wrap - 100), ScanContext(time: wrap + 50)])
        #expect(t.value(of: "tNow") == .time(50))
        #expect(t.value(of: "tElapsed") == .time(150))
    }

    @Test func loopsAndCase() throws {
        let source = """
            FUNCTION_BLOCK T
            VAR_OUTPUT nFor : INT; nWhile : INT; nRepeat : INT; sCase : STRING; END_VAR
            VAR i : INT; END_VAR
            FOR i := 1 TO 10 BY 2 DO
                IF i = 5 THEN CONTINUE; END_IF
                IF i = 9 THEN EXIT; END_IF
                nFor := nFor + i;          (* 1 + 3 + 7 (* nested *) *)
            END_FOR
            WHILE nWhile < 100 DO nWhile := nWhile + 30; END_WHILE
            REPEAT nRepeat := nRepeat + 1; UNTIL nRepeat >= 3 END_REPEAT
            {attribute 'hide'}
            CASE nFor OF
                1..10: sCase := 'low';
                11, 12: sCase := 'eleven or twelve';
            ELSE
                sCase := 'other';
            END_CASE
            END_FUNCTION_BLOCK
            """
        let t = try run(source)
        #expect(t.value(of: "nFor") == .int(11))
        #expect(t.value(of: "nWhile") == .int(120))
        #expect(t.value(of: "nRepeat") == .int(3))
        #expect(t.value(of: "sCase") == .string("eleven or twelve"))
    }

    @Test func functionsStructsEnumsArraysAndInstances() throws {
        let source = """
            TYPE E_Mode : (OFF := 0, ON := 5, AUTO); END_TYPE
            TYPE ST_Pair : STRUCT a : INT := 7; b : STRING(8) := 'pair'; END_STRUCT END_TYPE
            FUNCTION F_Add : INT
            VAR_INPUT a : INT; b : INT := 100; END_VAR
            VAR_OUTPUT doubled : INT; END_VAR
            F_Add := a + b;
            doubled := 2 * a;
            END_FUNCTION
            FUNCTION_BLOCK T
            VAR_OUTPUT r1 : INT; r2 : INT; r3 : INT; mode : E_Mode := E_Mode.AUTO; p2 : ST_Pair; total : DINT;
                pa : INT; pb : STRING; END_VAR
            VAR a : ARRAY[1..5] OF INT := [2(1), 3(4)]; p : ST_Pair; i : INT; timer : TON := (PT := T#1S); END_VAR
            r1 := F_Add(1, 2);
            r2 := F_Add(a := F_Add(a := 3), doubled => r3);
            p.a := p.a + 1;
            p2 := p;
            p.b := 'changed';
            pa := p2.a;
            pb := p2.b;
            FOR i := 1 TO 5 DO total := total + a[i]; END_FOR
            timer(IN := TRUE);
            END_FUNCTION_BLOCK
            """
        let t = try run(source)
        #expect(t.value(of: "r1") == .int(3))
        #expect(t.value(of: "r2") == .int(203))
        #expect(t.value(of: "r3") == .int(206))
        #expect(t.value(of: "mode") == .int(6))
        #expect(t.value(of: "total") == .int(14))
        #expect(t.value(of: "pa") == .int(8))
        #expect(t.value(of: "pb") == .string("pair"))
    }

    @Test func runTimeFaultsDoNotCrash() throws {
        let source = """
            FUNCTION_BLOCK T
            VAR_INPUT k : INT; END_VAR
            VAR_OUTPUT r : INT; END_VAR
            VAR a : ARRAY[0..3] OF INT; END_VAR
            a[k] := 5;
            r := 10 / k;
            END_FUNCTION_BLOCK
            """
        let library = try STLibrary.load(sources: [("t.st", source)])
        let t = try #require(library.functionBlock("T")).instantiate()
        t[pin: 0] = .int(0)
        t.execute(ScanContext())
        #expect(t.machine.takeFault() == "division by zero")
        t[pin: 0] = .int(9)
        t.execute(ScanContext())
        #expect(t.machine.takeFault() == "index 9 outside 0..3")
        #expect(t.value(of: "r") == .int(1))
    }

    @Test func interfaceIsAVarTableWithInitialValuesAndComments() throws {
        let library = try STLibrary.load(sources: [("t.st", """
            FUNCTION_BLOCK Hyst
            VAR_INPUT
                rIn : REAL := 0.0;      // measured value
                rOn : REAL := 10.0;     // switch on above
            END_VAR
            VAR_OUTPUT xOut : BOOL; END_VAR
            IF rIn > rOn THEN xOut := TRUE; ELSIF rIn < rOn - 1.0 THEN xOut := FALSE; END_IF
            END_FUNCTION_BLOCK
            """)])
        let type = try #require(library.functionBlock("Hyst"))
        #expect(type.interface.decls.map(\.name) == ["rIn", "rOn", "xOut"])
        #expect(type.interface.decl("rOn")?.initial == .real(10))
        #expect(type.interface.decl("rIn")?.comment == "measured value")
        let hyst = type.instantiate()
        hyst[pin: 0] = .real(11)
        hyst.execute(ScanContext())
        #expect(hyst[pin: 2] == .bool(true))
        hyst[pin: 0] = .real(9.5)
        hyst.execute(ScanContext())
        #expect(hyst[pin: 2] == .bool(true))
        hyst[pin: 0] = .real(8.5)
        hyst.execute(ScanContext())
        #expect(hyst[pin: 2] == .bool(false))
    }
}

/// IEC literals of every kind, as the lexer reads them.
@Suite struct LiteralTests {
    @Test(arguments: [("16#FF", Int64(255)), ("2#1010", 10), ("8#17", 15), ("1_000", 1000), ("INT#-5", -5),
                      ("UINT#16#FFFF", 65535), ("BOOL_TO_INT(BOOL#1)", 1), ("TIME_TO_DINT(TIME#1h2m3s4ms)", 3_723_004),
                      ("TIME_TO_DINT(T#1.5s)", 1500), ("LTIME_TO_LINT(LTIME#1ms)", 1_000_000),
                      ("TIME_TO_DINT(LTIME_TO_TIME(LT#2s))", 2000), ("DT_TO_UDINT(DT#1970-01-02-00:00:01)", 86401),
                      ("TOD_TO_UDINT(TOD#01:00:00.5)", 3_600_500), ("DATE_TO_UDINT(D#1970-01-03)", 172_800)])
    func literals(_ expression: String, _ expected: Int64) throws {
        #expect(try evaluate(expression, "LINT") == .int(expected))
    }

    @Test func realLiterals() throws {
        #expect(try evaluate("1.5E3", "LREAL") == .real(1500))
        #expect(try evaluate("REAL#2.5", "LREAL") == .real(2.5))
        #expect(try evaluate("-2.5e-1", "LREAL") == .real(-0.25))
    }

    @Test func malformedLiteralsAreErrors() {
        #expect(diagnostics("FUNCTION_BLOCK T\nVAR t : TIME; END_VAR\nt := T#5x;\nEND_FUNCTION_BLOCK\n")
            == ["t.st:3:6: malformed duration literal 'T#5x'"])
        #expect(diagnostics("FUNCTION_BLOCK T\nVAR s : STRING; END_VAR\ns := 'open;\nEND_FUNCTION_BLOCK\n").first
            == "t.st:3:6: unterminated string literal")
        #expect(diagnostics("FUNCTION_BLOCK T\nVAR b : BYTE; END_VAR\nb := BYTE#300;\nEND_FUNCTION_BLOCK\n")
            == ["t.st:3:6: constant 300 does not fit type 'BYTE'"])
        #expect(diagnostics("(* unclosed (* nested *)\nFUNCTION_BLOCK T\nEND_FUNCTION_BLOCK\n")
            == ["t.st:1:1: unterminated comment"])
    }
}
