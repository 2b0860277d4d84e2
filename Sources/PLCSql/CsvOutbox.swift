#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore
import PLCStorage

/// The durable outbox of the SQL sink: the CSV files themselves, read from acknowledged positions.
///
/// A row is durable once CSVLogger has synced it to `<folder>/<prefix>_YYYY-MM-DD.csv`; the outbox
/// never copies it. The cursor keeps a byte position per file (after the last row the server
/// confirmed), so every complete row of every file is sent, whatever the files' names say: a file
/// named in the future (a clock that ran ahead, a copied file) does not hide today's rows. It lives
/// in one small file beside the CSVs, replaced atomically (write, fsync, rename, fsync the folder),
/// so after a power cut or SIGKILL forwarding resumes at the last acknowledged rows. A row forwarded
/// but not yet acknowledged is sent again, and the insert-if-absent keeps it single.
///
/// Each byte is read once to count the rows waiting and once to send them: a year's backlog drains
/// in linear time. Used from one thread (the SQL worker).
public final class CsvOutbox {
    /// One CSV row ready to forward, and the position just after it.
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
    /// The cursor file's first line in this format (an older cursor has one `name offset` line).
    static let formatLine = "plc-outbox 2"

    // The acknowledged positions: files named before `base` and not in `positions` are done;
    // others start at their position, or at 0.
    private var loaded = false
    private var base: String?
    private var positions: [String: Int] = [:]
    /// Per file: how far rows were counted, and how many complete rows lie between its position and there.
    private var counted: [String: (upTo: Int, rows: Int)] = [:]
    /// Per file: where each requested value column is in its header.
    private var headers: [String: [Int?]] = [:]

    public init(folder: String, prefix: String, table: String, valueColumns: [String]) {
        self.folder = folder
        self.prefix = prefix
        self.valueColumns = valueColumns
        cursorPath = folder.pathAppending(".\(prefix).\(table).sqlcursor")
    }

    /// The acknowledged position in `file`: nil when the file is done, 0 when nothing of it was sent.
    public func position(of file: String) -> Int? {
        load()
        if let position = positions[file] { return position }
        if let base, file < base { return nil }
        return 0
    }

    /// Reads the cursor file once. An older cursor (`name offset`: everything named before it is
    /// done) is taken as it was meant, unless it points into a file dated after today: the rows
    /// it hid are found again by sending every file once more (the insert-if-absent keeps them single).
    private func load() {
        guard !loaded else { return }
        loaded = true
        guard let text = try? String(contentsOfFile: cursorPath, encoding: .utf8) else { return }
        var lines = text.split(separator: "\n").map(String.init)
        let current = lines.first == Self.formatLine
        if current { lines.removeFirst() }
        for line in lines {
            let parts = line.split(separator: " ")
            if current, parts.count == 2, parts[0] == "done-before" {
                base = String(parts[1])
                continue
            }
            guard parts.count == 2, let offset = Int(parts[1]), offset >= 0 else { continue }
            let name = String(parts[0])
            if !current { base = name }
            positions[name] = offset
        }
        if !current, let base, let today = Self.localDate(daysAgo: 0), date(of: base).map({ $0 > today }) == true {
            Console.write("\(cursorPath) points into \(base), dated after today (\(today)): every CSV file is sent again\n", to: 2)
            self.base = nil
            positions = [:]
        }
    }

    /// Makes the positions after `rows` acknowledged, durably.
    public func acknowledge(_ rows: [Row]) throws(ODBCError) {
        load()
        for row in rows {
            positions[row.next.file] = max(positions[row.next.file] ?? 0, row.next.offset)
            if var c = counted[row.next.file] {
                c.rows -= 1
                counted[row.next.file] = c
            }
        }
        try save()
    }

    /// Writes the positions of every file from the first one that is unfinished, recent (dated
    /// yesterday or later by the clock, so still growing) or undated, on; earlier files are done.
    /// A file that appears later with a name from yesterday on is sent whatever sorts after it.
    private func save() throws(ODBCError) {
        let names = files()
        let yesterday = Self.localDate(daysAgo: 1) ?? ""
        let first = names.firstIndex { name in
            guard let position = position(of: name) else { return false }
            return position < size(of: name) || (date(of: name).map { $0 >= yesterday } ?? true)
        }
        let listed = first.map { Array(names[$0...]) } ?? []
        let recent = "\(prefix)_\(yesterday)"
        let doneBefore = min(listed.first ?? recent, recent)
        var text = Self.formatLine + "\ndone-before \(doneBefore)\n"
        for name in listed { text += "\(name) \(position(of: name) ?? size(of: name))\n" }
        positions = Dictionary(uniqueKeysWithValues: listed.map { ($0, position(of: $0) ?? size(of: $0)) })
        base = doneBefore
        let temporary = cursorPath + ".tmp"
        let bytes = Array(text.utf8)
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

    /// The CSV files of this prefix, by name (the date in the name sorts them).
    func files() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix(prefix + "_") && $0.hasSuffix(".csv") }.sorted()
    }

    /// `YYYY-MM-DD` from `prefix_YYYY-MM-DD*.csv`, or nil.
    private func date(of name: String) -> String? {
        let middle = name.dropFirst(prefix.count + 1).prefix(10)
        guard middle.count == 10, middle.allSatisfy({ $0.isNumber || $0 == "-" }) else { return nil }
        return String(middle)
    }

    /// The clock's local date `days` days ago.
    static func localDate(daysAgo days: Int) -> String? {
        var seconds = time(nil) - days * 86_400
        var t = tm()
        guard localtime_r(&seconds, &t) != nil else { return nil }
        func pad(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(t.tm_year + 1900)-\(pad(t.tm_mon + 1))-\(pad(t.tm_mday))"
    }

    private func size(of name: String) -> Int {
        var info = stat()
        return stat(folder.pathAppending(name), &info) == 0 ? Int(info.st_size) : 0
    }

    /// True for a complete line that is a row: its first cell is a 19-character time stamp.
    private static func isRow(_ line: CSVLines.Line) -> Bool {
        guard line.complete, line.bytes.count >= 19 else { return false }
        return line.bytes.count == 19 || line.bytes[19] == UInt8(ascii: ",")
    }

    /// Up to `limit` complete rows not yet acknowledged, files in name order, and how many more wait.
    public func pending(limit: Int) -> (rows: [Row], more: Int) {
        load()
        var rows: [Row] = []
        var waiting = 0
        for name in files() {
            guard var start = position(of: name) else { continue }
            let path = folder.pathAppending(name)
            let size = size(of: name)
            if start > size {           // the file was replaced: read it again (inserts are idempotent)
                start = 0
                positions[name] = 0
                headers[name] = nil
                counted[name] = nil
            }
            // Count the rows written since the last look: each byte is counted once.
            var c = counted[name] ?? (start, 0)
            if c.upTo < start { c = (start, 0) }
            if size > c.upTo {
                try? CSVLines.read(path, from: c.upTo) { line in
                    guard line.complete else { return false }
                    if Self.isRow(line) { c.rows += 1 }
                    c.upTo = line.end
                    return true
                }
            }
            counted[name] = c
            waiting += c.rows
            guard rows.count < limit, c.rows > 0 else { continue }
            let header = headerMap(name)
            var cells: [Range<Int>] = []
            try? CSVLines.read(path, from: start) { line in
                guard line.complete, rows.count < limit else { return false }
                guard Self.isRow(line) else { return true }
                line.cells(into: &cells)
                let values: [Double?] = header.map { index in
                    guard let index, index < cells.count else { return nil }
                    return Double(line.cell(cells[index]))
                }
                rows.append(Row(timestamp: line.cell(cells[0]), values: values, next: Cursor(file: name, offset: line.end)))
                return true
            }
        }
        return (rows, max(0, waiting - rows.count))
    }

    /// The position of each requested value column in the file's header (its first line).
    private func headerMap(_ name: String) -> [Int?] {
        if let known = headers[name] { return known }
        var names: [String] = []
        try? CSVLines.read(folder.pathAppending(name)) { line in
            names = line.fields.map { $0.trimmingSpaces() }
            return false
        }
        let map = valueColumns.map { names.firstIndex(of: $0) }
        headers[name] = map
        return map
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
