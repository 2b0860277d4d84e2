import Foundation
import PLCCore
import PLCStructuredText
import Testing

/// Fuzzing of the Structured Text parser and checker, as `FuzzTests` does for the other parsers:
/// each case mutates one file of `st-reference/` and checks it; the property is
/// "a clear `file:line:col` error or a library that loads and runs a scan, never a crash or a hang".
@Suite("Fuzzing ST", .serialized)
struct STFuzzTests {
    static let tokens = [
        "(", ")", "[", "]", ":=", "=>", ";", ",", ".", "..", "^", "IF x THEN ", "END_IF;", "WHILE TRUE DO ", "END_WHILE;",
        "FOR i := 1 TO 10 DO ", "END_FOR;", "REPEAT ", "UNTIL FALSE END_REPEAT;", "CASE 1 OF 1: ", "END_CASE;", "NOT ",
        "16#", "2#", "T#", "T#-1s", "LTIME#1d", "DT#2026-13-40-25:61:61", "'", "'$", "$N", "\"", "(*", "*)", "//",
        "REF=", "ADR(", "POINTER TO ", "ARRAY[0..-1] OF ", "STRING(0)", "99999999999999999999", "-9223372036854775808",
        "1.0E400", "RETURN;", "EXIT;", "CONTINUE;", "VAR ", "END_VAR", "FUNCTION_BLOCK ", "END_FUNCTION_BLOCK", "{attribute 'x'}",
        String(repeating: "(", count: 300), String(repeating: "NOT ", count: 300), String(repeating: "+ 1 ", count: 1200),
    ]

    @Test("st-reference files under random edits: file:line:col errors, or a library that runs")
    func referenceFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("st-reference")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".st") }.sorted()
        let files = try names.map { try [UInt8](Data(contentsOf: root.appendingPathComponent($0))) }
        #expect(files.count >= 20)
        var fuzzer = Fuzzer(seed: 0x5EED_0005, tokens: Self.tokens)
        let start = Date()
        var accepted = 0
        for n in 0..<FuzzTests.cases {
            let which = n % files.count
            let path = names[which]
            let text = String(decoding: fuzzer.mutate(files[which]), as: UTF8.self)
            // The file alone (checking the whole library each time would take minutes): files that use
            // others' declarations end in "unknown" errors, self-contained ones get checked and run.
            let sources = [(path: path, text: text)]
            let found = STLibrary.check(sources: sources)
            for d in found where d.location.file != path || d.location.line < 1 || d.location.column < 1 {
                Issue.record("case \(n) (\(path)): an error without its place: \(d)")
            }
            guard found.isEmpty else { continue }
            accepted += 1
            // Accepted: every block of the edited file instantiates and runs a scan (endless loops end at the watchdog).
            let library = try STLibrary.load(sources: sources)
            for name in library.functionBlockNames where names[which].hasPrefix(name) {
                library.functionBlock(name)?.instantiate().execute(ScanContext(watchdog: 2_000_000))
            }
        }
        FuzzTests.report("ST files", FuzzTests.cases, accepted: accepted, since: start)
        #expect(accepted > 0 && accepted < FuzzTests.cases, "the mutations must reach both outcomes")
    }
}
