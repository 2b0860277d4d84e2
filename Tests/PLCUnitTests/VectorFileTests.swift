import PLCBlocks
import PLCCore
import Testing

@Suite("Vector files")
struct VectorFileTests {
    @Test("a malformed vector file names its line and problem", arguments: [
        ("t_ms,IN,XX\n0,TRUE,1\n", 1, "unknown pin 'XX'"),
        ("t_ms,IN,PT\n0,TRUE,T#5x\n", 2, "column PT: 'T#5x' is not a TIME literal"),
        ("t_ms,IN,PT\n10,TRUE,T#5s\n10,TRUE,T#5s\n", 3, "does not increase"),
        ("t_ms,IN,PT\n0,TRUE,T#1s\n5,TRUE\n", 3, "expected 3 columns, found 2"),
        ("time,IN\n0,TRUE\n", 1, "first column must be t_ms"),
        ("t_ms,IN,IN\n0,TRUE,TRUE\n", 1, "appears twice"),
        ("# comment\n\nt_ms,IN\nx,TRUE\n", 4, "not a whole number"),
        ("t_ms,IN\n0,\"TRUE\n", 2, "unterminated quoted field"),
    ])
    func malformed(text: String, line: Int, problem: String) throws {
        let path = try Fixtures.temporaryFile(text)
        #expect {
            try VectorFile.load(path, for: TON.interface)
        } throws: { error in
            guard let e = error as? SourceError else { return false }
            return e.file == path && e.line == line && e.message.contains(problem)
        }
    }

    @Test("an empty input cell keeps the previous value; an empty output cell is not checked")
    func emptyCells() throws {
        let text = "t_ms,IN,PT,Q\n0,TRUE,T#10ms,FALSE\n5,,,\n10,,,TRUE\n"
        let file = try VectorFile.parse(text, path: "x.csv", for: TON.interface)
        let trace = VectorTrace(TON.self, file)
        #expect(trace.mismatches.isEmpty)
        #expect(trace.rows.map { $0.values[0] } == [.bool(true), .bool(true), .bool(true)])
    }

    @Test("a wrong expected value is reported with row, pin, expected and actual")
    func mismatch() throws {
        let text = "t_ms,IN,PT,Q,ET\n0,TRUE,T#10ms,FALSE,T#0ms\n10,,,FALSE,T#10ms\n"
        let trace = VectorTrace(TON.self, try VectorFile.parse(text, path: "m.csv", for: TON.interface))
        let first = try #require(trace.mismatches.first)
        #expect(first.description == "m.csv:3: t_ms=10: Q expected FALSE, got TRUE")
        #expect(trace.mismatches.count == 1)
    }

    @Test("the printed trace is CSV that reads back as a vector file with the same values")
    func traceCSVReadsBack() throws {
        let text = "t_ms,IN,PT\n0,TRUE,T#20ms\n10,,\n20,,\n30,FALSE,\n"
        let trace = VectorTrace(TON.self, try VectorFile.parse(text, path: "a.csv", for: TON.interface))
        let again = try VectorFile.parse(trace.csv(), path: "b.csv", for: TON.interface)
        #expect(VectorTrace(TON.self, again).mismatches.isEmpty)
        #expect(trace.csv().split(separator: "\n")[3] == "20,TRUE,T#20ms,TRUE,T#20ms")
    }

    @Test("CSV fields: quotes, commas and escaped quotes")
    func csvFields() {
        #expect(CSVText.fields("a,\"b,c\",\"d\"\"e\",") == ["a", "b,c", "d\"e", ""])
        #expect(CSVText.fields("\"open") == nil)
        #expect(CSVText.escape("x,y") == "\"x,y\"")
    }
}
