import Testing
@testable import PLCStructuredText

/// Sources nested or chained past what parsing, checking and running can recurse through get one
/// `file:line:col` error instead of exhausting the stack (issue 26, defect 6).
@Suite struct ParserLimitTests {
    static func block(_ body: String) -> String {
        "FUNCTION_BLOCK T\nVAR x : DINT; END_VAR\n\(body)\nEND_FUNCTION_BLOCK\n"
    }

    static let cases: [(name: String, source: String, message: String)] = [
        ("5,000 nested parentheses", block("x := " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + ";"),
         "nested more than"),
        ("a flat sum of 50,000 terms", block("x := " + Array(repeating: "x", count: 50_000).joined(separator: " + ") + ";"),
         "expression more than"),
        ("20,000 nested IFs", block(String(repeating: "IF TRUE THEN\n", count: 20_000) + "x := 1;\n" + String(repeating: "END_IF\n", count: 20_000)),
         "nested more than"),
        ("50,000 NOTs", block("x := BOOL_TO_DINT(" + String(repeating: "NOT ", count: 50_000) + "TRUE);"), "nested more than"),
        ("a 50,000-deep member chain", block("x := " + Array(repeating: "x", count: 50_000).joined(separator: ".") + ";"),
         "expression more than"),
        ("10,000 nested array initialisers", "FUNCTION_BLOCK T\nVAR a : ARRAY[0..1] OF DINT := "
            + String(repeating: "[", count: 10_000) + "1" + String(repeating: "]", count: 10_000) + "; END_VAR\nEND_FUNCTION_BLOCK\n",
         "nested more than"),
        ("10,000 POINTER TOs", "FUNCTION_BLOCK T\nVAR p : " + String(repeating: "POINTER TO ", count: 10_000) + "DINT; END_VAR\nEND_FUNCTION_BLOCK\n",
         "nested more than"),
    ]

    @Test("deep or long sources fail with a file:line:col error", arguments: 0..<cases.count)
    func deepSourceIsAnError(_ n: Int) {
        let c = Self.cases[n]
        let found = diagnostics(c.source)
        #expect(found.contains { $0.hasPrefix("t.st:") && $0.contains(c.message) }, "\(c.name): \(found.prefix(3))")
    }

    @Test("a stray ELSE or ELSIF in a statement list is an error, not an endless loop (found by fuzzing)")
    func strayElse() {
        let found = diagnostics(Self.block("WHILE x < 3 DO x := x + 1; ELSE x := 0; END_WHILE\nELSIF x := 2;"))
        #expect(found.contains { $0.hasPrefix("t.st:3:") }, "\(found)")
    }

    @Test("minus the most negative integer literal is no overflow trap (found by fuzzing)")
    func negatedMinimum() throws {
        #expect(try evaluate("-9223372036854775808", "LINT") == .int(Int64.min))
        _ = diagnostics(Self.block("x := -16#8000000000000000;"))
    }

    @Test("within the limits, deep code still checks and runs")
    func withinTheLimits() throws {
        let sum = Array(repeating: "1", count: 900).joined(separator: " + ")
        let parens = String(repeating: "(", count: 60) + "2" + String(repeating: ")", count: 60)
        let ifs = String(repeating: "IF TRUE THEN\n", count: 60) + "y := \(parens);\n" + String(repeating: "END_IF\n", count: 60)
        let instance = try run("FUNCTION_BLOCK T\nVAR_OUTPUT x, y : DINT; END_VAR\nx := \(sum);\n\(ifs)END_FUNCTION_BLOCK\n")
        #expect(instance.value(of: "x") == .int(900))
        #expect(instance.value(of: "y") == .int(2))
    }
}
