import Foundation
import PLCCore
import PLCGraph
import PLCMeters
import PLCSql
import PLCYAML
import Testing

/// Issue 26's storage and SQL defects that need no peer.
@Suite("hardening units: storage and SQL (issue 26)")
struct StorageHardeningUnitTests {
    @Test("an SQL error from a driver's multi-line message is one log line (defect 10)")
    func oneLineError() {
        let error = ODBCError(operation: "insert", sqlState: "08S01", nativeCode: 35,
                              message: "The connection has been lost;\nThe connection has been lost")
        #expect(!error.description.contains("\n"))
        #expect(error.description == "SQL insert failed [08S01]: The connection has been lost; The connection has been lost")
    }
}

/// The SQL outbox against file names that do not follow the clock (defects 4 and 13).
@Suite("hardening units: the SQL outbox (issue 26)")
struct OutboxHardeningTests {
    static func folder() throws -> String { try StorageTests.folder() }

    static func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    @Test("a file named in the future does not hide today's rows: both are sent, and rows written later too (defect 4)")
    func futureFile() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        let date = formatter.string(from: Date())
        let future = formatter.string(from: Date().addingTimeInterval(400 * 86_400))
        // The future file first, today's file appearing after it was sent (the logger held its rows a while).
        try "timestamp,a\n\(future) 00:00:05,9\n".write(toFile: folder + "/log_\(future).csv", atomically: true, encoding: .utf8)
        let outbox = CsvOutbox(folder: folder, prefix: "log", table: "t", valueColumns: ["a"])
        let early = outbox.pending(limit: 10)
        #expect(early.rows.map(\.timestamp) == ["\(future) 00:00:05"])
        try outbox.acknowledge(early.rows)
        let today = folder + "/log_\(date).csv"
        try "timestamp,a\n\(date) 10:00:00,1\n".write(toFile: today, atomically: true, encoding: .utf8)
        let first = outbox.pending(limit: 10)
        #expect(first.rows.map(\.timestamp) == ["\(date) 10:00:00"])
        try outbox.acknowledge(first.rows)
        #expect(outbox.pending(limit: 10).rows.isEmpty)
        // Today's file grows after the future file was sent: the new row still goes out, after a restart too.
        try Self.append("\(date) 10:00:01,2\n", to: today)
        let restarted = CsvOutbox(folder: folder, prefix: "log", table: "t", valueColumns: ["a"])
        let second = restarted.pending(limit: 10)
        #expect(second.rows.map(\.timestamp) == ["\(date) 10:00:01"])
        #expect(second.rows.map(\.values) == [[2]])
        try restarted.acknowledge(second.rows)
        #expect(CsvOutbox(folder: folder, prefix: "log", table: "t", valueColumns: ["a"]).pending(limit: 10).rows.isEmpty)
    }

    @Test("an old cursor pointing into a future file: every file is sent again, none skipped (defect 4)")
    func oldCursorInTheFuture() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "timestamp,a\n2026-12-04 10:00:00,1\n".write(toFile: folder + "/log_2026-12-04.csv", atomically: true, encoding: .utf8)
        try "timestamp,a\n2099-01-01 00:00:05,9\n".write(toFile: folder + "/log_2099-01-01.csv", atomically: true, encoding: .utf8)
        try "log_2099-01-01.csv 34\n".write(toFile: folder + "/.log.t.sqlcursor", atomically: true, encoding: .utf8)
        let outbox = CsvOutbox(folder: folder, prefix: "log", table: "t", valueColumns: ["a"])
        #expect(outbox.pending(limit: 10).rows.map(\.timestamp) == ["2026-12-04 10:00:00", "2099-01-01 00:00:05"])
    }

    @Test("a backlog drains in batches that each read only their own rows: the waiting count stays right (defect 13)")
    func drainCounts() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for day in 1...3 {
            var text = "timestamp,a\n"
            for slot in 0..<100 { text += String(format: "2026-10-%02d %02d:%02d:00,%d\n", day, slot / 12, slot % 12 * 5, slot) }
            try text.write(toFile: folder + String(format: "/log_2026-10-%02d.csv", day), atomically: true, encoding: .utf8)
        }
        let outbox = CsvOutbox(folder: folder, prefix: "log", table: "t", valueColumns: ["a"])
        var sent: [String] = []
        var waiting: [Int] = []
        while true {
            let batch = outbox.pending(limit: 70)
            if batch.rows.isEmpty { break }
            sent += batch.rows.map(\.timestamp)
            waiting.append(batch.more)
            try outbox.acknowledge(batch.rows)
        }
        #expect(sent.count == 300 && Set(sent).count == 300 && sent == sent.sorted())
        #expect(waiting == [230, 160, 90, 20, 0])
    }
}

/// The one reader of the logger's CSV rows: chunked, resumable, backwards for the last row.
@Suite("CSVLines: one streaming reader of the logger's CSV rows (issue 20, issue 26 defect 7)")
struct CSVLinesTests {
    @Test("lines across chunk edges, longer than a chunk, CRLF, quoted commas and an unfinished last line", arguments: [16, 37, 65_536])
    func chunks(chunk: Int) throws {
        let path = try StorageTests.folder() + "/t.csv"
        let long = String(repeating: "x", count: 100)
        let text = "timestamp,a\r\n2026-12-04 10:00:00,\"1,5\"\n\n2026-12-04 10:00:01,\(long)\n2026-12-04 10:00:0"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var seen: [(String, Int, Bool)] = []
        var fields: [[String]] = []
        try CSVLines.read(path, chunk: chunk) { line in
            seen.append((line.text, line.end, line.complete))
            fields.append(line.fields)
            return true
        }
        #expect(seen.map(\.0) == ["timestamp,a", "2026-12-04 10:00:00,\"1,5\"", "", "2026-12-04 10:00:01,\(long)", "2026-12-04 10:00:0"])
        #expect(seen.map(\.2) == [true, true, true, true, false])
        #expect(seen.last?.1 == text.utf8.count)
        #expect(fields[1] == ["2026-12-04 10:00:00", "1,5"])
        // Resuming at a line's end gives the rest, as the SQL outbox does after its cursor.
        var rest: [String] = []
        try CSVLines.read(path, from: seen[1].1, chunk: chunk) { rest.append($0.text); return true }
        #expect(rest == Array(seen.dropFirst(2).map(\.0)))
        let last = CSVLines.lastLine(path, chunk: chunk) { $0.bytes.count > 10 ? $0.text : nil }
        #expect(last == "2026-12-04 10:00:01,\(long)")
        #expect(CSVLines.lastLine(path, chunk: chunk) { $0.text.hasPrefix("timestamp") ? $0.text : nil } == "timestamp,a")
    }
}

/// Model-file messages that name the real cause (defect 11).
@Suite("hardening units: meter model messages (issue 26)")
struct ModelMessageTests {
    @Test("a model with 14,000 values and no aliases is not refused as an alias expansion (defect 11)")
    func manyValues() throws {
        var text = "model: big\nanswers: [0-65535]\nvalues:\n"
        for i in 0..<14_000 { text += "  - {name: v\(i), address: \(i), format: UINT16, unit: V}\n" }
        #expect(throws: Never.self) { _ = try YAMLSource.compose(text, path: "/m/big.yaml") }
    }

    @Test("aliases still may not add more than 100000 nodes, however long the document (defect 11)")
    func aliasesStillLimited() {
        var text = "pad:\n" + String(repeating: "  - x\n", count: 20_000)
        text += "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for (name, previous) in [("b", "a"), ("c", "b"), ("d", "c"), ("e", "d"), ("f", "e"), ("g", "f")] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        #expect(throws: SourceError.self) { _ = try YAMLSource.compose(text, path: "/m/laughs.yaml") }
    }

    @Test("random bytes: the cause in words, not 'file error 259' (defect 11)")
    func randomBytes() throws {
        let path = try StorageTests.folder() + "/noise.yaml"
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0x80...0xFF, using: &generator) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try MeterModelLoader.load(path)
            Issue.record("random bytes loaded as a model")
        } catch {
            let text = error.errors.map(\.description).joined(separator: "\n")
            #expect(!text.contains("file error"), "\(text)")
            #expect(text.hasPrefix(path + ":1:") && text.contains("UTF-8"), "\(text)")
        }
    }

    @Test("values: [] is refused (defect 11)")
    func emptyValues() {
        let errors = MeterModelTests.errors("model: test\nanswers: [0-9]\nvalues: []\n")
        #expect(errors == ["/m/test.yaml:3: values: the list is empty; a meter model needs at least one value (name, address, format, ...)"],
                "\(errors)")
    }
}

extension OutboxHardeningTests {
    @Test("a file replaced by a shorter one is read again from its start, and the waiting count follows")
    func replacedFile() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Today's file (an old finished one is done for good, whatever happens to it).
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        let path = folder + "/log_\(formatter.string(from: Date())).csv"
        try "timestamp,a\n2026-10-01 00:00:00,1\n2026-10-01 00:05:00,2\n2026-10-01 00:10:00,3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let outbox = CsvOutbox(folder: folder, prefix: "log", table: "t", valueColumns: ["a"])
        try outbox.acknowledge(outbox.pending(limit: 10).rows)
        try "timestamp,a\n2026-10-01 00:00:00,7\n".write(toFile: path, atomically: true, encoding: .utf8)
        let again = outbox.pending(limit: 10)
        #expect(again.rows.map(\.values) == [[7]] && again.more == 0)
        try outbox.acknowledge(again.rows)
        #expect(outbox.pending(limit: 10).rows.isEmpty && outbox.pending(limit: 10).more == 0)
    }
}
