#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCStorage

/// The durable outbox of the SQL sink: the CSV files themselves, read from an acknowledged cursor.
///
/// A row is durable once CSVLogger has synced it to `<folder>/<prefix>_YYYY-MM-DD.csv`; the outbox
/// never copies it. The cursor (file name and byte offset after the last row the server confirmed)
/// lives in one small file beside the CSVs, replaced atomically (write, fsync, rename, fsync the
/// folder), so after a power cut or SIGKILL forwarding resumes at the last acknowledged row. A row
/// forwarded but not yet acknowledged is sent again, and the insert-if-absent keeps it single.
public struct CsvOutbox {
    /// One CSV row ready to forward, and the cursor just after it.
    public struct Row: Equatable, Sendable {
        /// The `timestamp` cell: local time `YYYY-MM-DD HH:MM:SS`.
        public let timestamp: String
        /// One cell per requested value column; nil for an empty cell or a column the file lacks.
        public let values: [Double?]
        /// Where reading continues after this row.
        public let next: Cursor
    }

    /// A position in the CSV files: the file's name and a byte offset in it.
    public struct Cursor: Equatable, Sendable {
        public var file: String
        public var offset: Int
        public init(file: String, offset: Int) {
            self.file = file
            self.offset = offset
        }
    }

    public let folder: String
    public let prefix: String
    public let valueColumns: [String]
    /// The cursor file: `<folder>/.<prefix>.<table>.sqlcursor`.
    public let cursorPath: String

    public init(folder: String, prefix: String, table: String, valueColumns: [String]) {
        self.folder = folder
        self.prefix = prefix
        self.valueColumns = valueColumns
        cursorPath = folder.pathAppending(".\(prefix).\(table).sqlcursor")
    }

    /// The acknowledged cursor, or nil when nothing was ever acknowledged (start at the first file).
    public func cursor() -> Cursor? {
        guard let text = try? String(contentsOfFile: cursorPath, encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 2, let offset = Int(parts[1]), offset >= 0 else { return nil }
        return Cursor(file: String(parts[0]), offset: offset)
    }

    /// Makes `cursor` the acknowledged position, durably.
    public func acknowledge(_ cursor: Cursor) throws(ODBCError) {
        let temporary = cursorPath + ".tmp"
        let bytes = Array("\(cursor.file) \(cursor.offset)\n".utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        var ok = fd >= 0
        if ok {
            ok = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count && fsync(fd) == 0
            close(fd)
        }
        ok = ok && rename(temporary, cursorPath) == 0
        if ok {
            let dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dir >= 0 {
                _ = fsync(dir)
                close(dir)
            }
        }
        guard ok else {
            let reason = String(cString: strerror(errno))
            throw ODBCError(operation: "cursor", sqlState: "", nativeCode: errno, message: "cannot write \(cursorPath): \(reason)")
        }
    }

    /// The CSV files of this prefix, oldest first (the date in the name sorts them).
    func files() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix(prefix + "_") && $0.hasSuffix(".csv") }.sorted()
    }

    /// Up to `limit` complete rows after `cursor` (nil: from the start), and how many more complete rows follow.
    public func rows(after cursor: Cursor?, limit: Int) -> (rows: [Row], more: Int) {
        var rows: [Row] = []
        var more = 0
        for name in files() where cursor.map({ name >= $0.file }) ?? true {
            let path = folder.pathAppending(name)
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            var start = cursor?.file == name ? cursor?.offset ?? 0 : 0
            if start > data.count { start = 0 }      // the file was replaced: read it again (inserts are idempotent)
            let bytes = [UInt8](data)
            let header = headerMap(bytes)
            var lineStart = start
            var i = start
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "\n") {
                    let line = String(decoding: bytes[lineStart..<i], as: UTF8.self)
                    let next = Cursor(file: name, offset: i + 1)
                    if lineStart > 0 || !line.hasPrefix("timestamp"), let row = parse(line, header: header, next: next) {
                        if rows.count < limit { rows.append(row) } else { more += 1 }
                    }
                    lineStart = i + 1
                }
                i += 1
            }
        }
        return (rows, more)
    }

    /// The position of each requested value column in the file's header.
    private func headerMap(_ bytes: [UInt8]) -> [Int?] {
        let end = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        let names = String(decoding: bytes[0..<end], as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingSpaces() }
        return valueColumns.map { names.firstIndex(of: $0) }
    }

    private func parse(_ line: String, header: [Int?], next: Cursor) -> Row? {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false)
        guard let stamp = cells.first, stamp.count == 19 else { return nil }
        let values: [Double?] = header.map { index in
            guard let index, index < cells.count else { return nil }
            return Double(cells[index])
        }
        return Row(timestamp: String(stamp), values: values, next: next)
    }
}

/// Local `YYYY-MM-DD HH:MM:SS` to the time stamps the table stores.
public enum SqlTime {
    /// `2026-11-27 14:55:00.000` for the local time as written.
    public static func local(_ timestamp: String) -> String { timestamp + ".000" }

    /// The UTC time of a local time stamp in this machine's time zone (`TZ`), as `YYYY-MM-DD HH:MM:SS.000`;
    /// nil when the text is not a time stamp. In an hour a DST change repeats, the first one is taken.
    public static func utc(_ timestamp: String) -> String? {
        guard var t = CivilTime.fields(timestamp) else { return nil }
        var seconds = mktime(&t)
        guard seconds != -1 else { return nil }
        var u = tm()
        gmtime_r(&seconds, &u)
        func pad(_ v: Int32, _ width: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(u.tm_year + 1900, 4))-\(pad(u.tm_mon + 1))-\(pad(u.tm_mday)) \(pad(u.tm_hour)):\(pad(u.tm_min)):\(pad(u.tm_sec)).000"
    }
}
