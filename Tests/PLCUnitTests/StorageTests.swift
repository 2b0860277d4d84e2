import Foundation
import PLCCore
import PLCStorage
import Testing

@Suite("Storage")
struct StorageTests {
    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-storage-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("values keep their register's resolution and never print -0")
    func formatting() {
        #expect(ValueColumns.format(2297 * 0.1, decimals: 1) == "229.7")
        #expect(ValueColumns.format(-853 * 0.001, decimals: 3) == "-0.853")
        #expect(ValueColumns.format(-0.00004, decimals: 1) == "0.0")
        #expect(ValueColumns.format(-1500, decimals: 0) == "-1500")
        #expect(ValueColumns.format(50.02, decimals: 2) == "50.02")
    }

    /// The rows of blocks/CSVLogger/cell_format.csv: (line, value, decimals, text).
    static func cellFormatCases() throws -> [(line: Int, value: Double, decimals: Int, text: String)] {
        let path = Fixtures.blocks.appendingPathComponent("CSVLogger/cell_format.csv").path
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.enumerated().compactMap { n, line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == 3, let value = Double(cells[0]), let decimals = Int(cells[1]) else { return nil }
            return (n + 1, value, decimals, cells[2])
        }
    }

    @Test("every row of cell_format.csv: half away from zero, no -0, empty for NaN, infinity and overflow")
    func cellFormatRule() throws {
        let cases = try Self.cellFormatCases()
        #expect(cases.count >= 25)
        #expect(cases.contains { $0.value == 0.125 && $0.text == "0.13" }, "the tie case is in the file")
        for c in cases {
            #expect((ValueColumns.format(c.value, decimals: c.decimals) ?? "") == c.text, "cell_format.csv:\(c.line)")
        }
        // Ties to even (what %f does) would fail these rows.
        #expect(String(format: "%.2f", 0.125) == "0.12" && ValueColumns.format(0.125, decimals: 2) == "0.13")
    }

    @Test("column names are trimmed and empty ones dropped, as F_ColumnList does in ST")
    func columnNames() {
        #expect(ValueColumns.names(" a, ,b,,c ,") == ["a", "b", "c"])
        #expect(ValueColumns.names("") == [])
    }

    @Test("local times and durations as the CSV and the log write them")
    func times() {
        let t: Int64 = 1_764_095_490_123   // 2025-11-25 18:31:30.123 (as local time)
        #expect(CivilTime.timestamp(t) == "2025-11-25 18:31:30")
        #expect(CivilTime.logTimestamp(t) == "2025-11-25 18:31:30,123")
        #expect(CivilTime.logTimestamp(t - 118) == "2025-11-25 18:31:30,005")
        #expect(CivilTime.date(t) == "2025-11-25")
        #expect(CivilTime.duration(210_000) == "3m 30s")
        #expect(CivilTime.duration(7_500_000) == "2h 5m")
        #expect(CivilTime.duration(450) == "450ms")
    }

    /// Writes rows through a real writer thread into `folder` and waits until they are on disk.
    static func write(_ rows: [String], folder: String, file: String = "t.csv") -> CSVStatus {
        let writer = StorageWriter()
        writer.start()
        let status = CSVStatus()
        for row in rows { _ = writer.append(row: row, folder: folder, fileName: file, header: "timestamp,a", status: status) }
        writer.stop()
        return status
    }

    @Test("a partial last line left by a power cut is cut back before the next row; the header is written once")
    func repair() throws {
        let dir = try Self.folder()
        _ = Self.write(["2026-01-01 00:00:00,1"], folder: dir)
        let path = dir + "/t.csv"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("2026-01-01 00:05:00,2".utf8))    // no newline: the power went off here
        try handle.close()
        let status = Self.write(["2026-01-01 00:10:00,3"], folder: dir)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "timestamp,a\n2026-01-01 00:00:00,1\n2026-01-01 00:10:00,3\n")
        #expect(status.counts.written == 1 && status.counts.lost == 0)
    }

    @Test("a file that is nothing but half a header is repaired to a fresh header")
    func repairEmpty() throws {
        let dir = try Self.folder()
        try "timest".write(toFile: dir + "/t.csv", atomically: true, encoding: .utf8)
        _ = Self.write(["x,1"], folder: dir)
        #expect(try String(contentsOfFile: dir + "/t.csv", encoding: .utf8) == "timestamp,a\nx,1\n")
    }

    @Test("when the queue is full the oldest rows are dropped and counted, never silently")
    func overflow() throws {
        let missing = try Self.folder() + "/gone/deeper"
        let writer = StorageWriter(rowCapacity: 3, retryMin: 60_000)
        let status = CSVStatus()
        // The folder is created at the first write; make that impossible with a file in the way.
        try "x".write(toFile: (missing as NSString).deletingLastPathComponent, atomically: true, encoding: .utf8)
        writer.start()
        for i in 0..<5 { _ = writer.append(row: "r\(i)", folder: missing, fileName: "t.csv", header: "h", status: status) }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(status.counts.lost == 2)
        #expect(status.counts.queued == 3)
        #expect(status.fault != nil)
        writer.stop()
        #expect(status.counts.lost == 5 && status.counts.queued == 0)
    }
}
