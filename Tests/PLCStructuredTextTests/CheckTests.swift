import Testing
@testable import PLCStructuredText

/// Each kind of error the checker reports, with its line and column; all errors, not just the first.
@Suite struct CheckTests {
    func expectErrors(_ body: String, _ expected: [String], decls: String = "") {
        let text = "FUNCTION_BLOCK T\nVAR\n    x : INT;\n    b : BOOL;\n    s : STRING(10);\n    t : TIME;\n"
            + decls + "END_VAR\n" + body + "\nEND_FUNCTION_BLOCK\n"
        #expect(diagnostics(text) == expected)
    }

    @Test func cleanSourceHasNoDiagnostics() {
        expectErrors("x := x + 1;\nb := x > 3 AND NOT b;\ns := CONCAT(s, 'a');\nt := t + T#1S;", [])
    }

    @Test func typeMismatchesAreAllReported() {
        expectErrors("x := TRUE;\nb := 1;\ns := x;\nt := 100;\nx := t;", [
            "t.st:8:6: cannot convert type 'BOOL' to type 'INT'",
            "t.st:9:6: cannot convert type 'DINT' to type 'BOOL'",
            "t.st:10:6: cannot convert type 'INT' to type 'STRING(10)'",
            "t.st:11:6: cannot convert type 'DINT' to type 'TIME'",
            "t.st:12:6: cannot convert type 'TIME' to type 'INT'",
        ])
    }

    @Test func unknownNamesAndTypes() {
        expectErrors("y := 1;\nx := F_Nothing(1);", [
            "t.st:7:9: unknown type 'Missing'",
            "t.st:9:1: unknown name 'y'",
            "t.st:10:6: unknown name 'F_Nothing'",
        ], decls: "    z : Missing;\n")
    }

    @Test func operatorsNeedMatchingTypes() {
        expectErrors("x := x + b;\nIF x THEN x := 1; END_IF\nb := s = x;", [
            "t.st:8:8: operator '+' cannot combine 'INT' and 'BOOL'",
            "t.st:9:4: condition must be BOOL, not 'INT'",
            "t.st:10:8: operator '=' cannot combine 'STRING(10)' and 'INT'",
        ])
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        expectErrors("x := ;\nIF b THEN\n  x := 2;\nb := TRUE;", [
            "t.st:8:6: expected an expression, found ;",
            "t.st:12:1: expected END_IF, found END_FUNCTION_BLOCK",
        ])
    }

    @Test func callsCheckParameters() {
        let text = """
            FUNCTION F : INT
            VAR_INPUT a : INT; END_VAR
            VAR_IN_OUT r : ULINT; END_VAR
            F := a;
            END_FUNCTION
            FUNCTION_BLOCK T
            VAR x : INT; u : ULINT; timer : TON; END_VAR
            x := F(a := 1, r := ADR(u));
            x := F(b := 1, r := u);
            x := F(a := 1);
            x := timer(IN := TRUE);
            timer(IN := 1, Q => x, PT := T#1S);
            END_FUNCTION_BLOCK
            """
        #expect(diagnostics(text) == [
            "t.st:8:21: VAR_IN_OUT 'r' of 'F' needs a variable of type 'ULINT', not an expression of type 'POINTER TO ULINT'",
            "t.st:9:8: 'F' has no parameter 'b'",
            "t.st:10:6: VAR_IN_OUT 'r' of 'F' must be assigned in the call",
            "t.st:11:6: function block 'TON' cannot be called inside an expression; call it as a statement",
            "t.st:12:13: cannot convert type 'DINT' to type 'BOOL'",
            "t.st:12:21: cannot convert type 'BOOL' to type 'INT'",
        ])
    }

    @Test func structuralErrors() {
        let text = """
            FUNCTION_BLOCK T
            VAR CONSTANT k : INT := 3; END_VAR
            VAR x : INT; x : BOOL; a : ARRAY[0..3] OF INT; timer : TON; END_VAR
            k := 4;
            a[4] := 1;
            EXIT;
            CASE TRUE OF 1: x := 1; END_CASE
            x := timer.xTiming;
            END_FUNCTION_BLOCK
            """
        #expect(diagnostics(text) == [
            "t.st:3:14: 'x' is declared twice in T",
            "t.st:4:1: 'k' is a constant and cannot be written",
            "t.st:5:3: index 4 is outside the array bounds 0..3",
            "t.st:6:1: EXIT outside a loop",
            "t.st:7:6: CASE needs an integer or enumeration selector, not 'BOOL'",
            "t.st:8:12: 'xTiming' is not an input or output of 'TON' and cannot be accessed from outside",
        ])
    }
}
