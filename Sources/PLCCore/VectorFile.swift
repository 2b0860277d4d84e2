#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// A golden vector file: `t_ms`, then one column per pin; each row is one scan.
///
/// Input cells that are empty keep the previous value; output cells that are empty are not checked.
/// Lines starting with `#` are comments (timing diagrams), and blank lines are skipped.
public struct VectorFile: Sendable {
    /// One pin column.
    public struct Column: Sendable {
        public let pin: Int
        public let decl: VarDecl
    }

    /// One scan: its time, the source line, and a cell per column (nil when empty).
    public struct Row: Sendable {
        public let line: Int
        public let time: Int64
        public let cells: [IECValue?]
    }

    public let path: String
    public let columns: [Column]
    public let rows: [Row]

    /// Reads and checks `path` against `interface`; any problem is a `SourceError` naming file and line.
    public static func load(_ path: String, for interface: VarTable) throws(SourceError) -> VectorFile {
        // Saved on Windows (CRLF) or by a spreadsheet (byte-order mark): read like a plain file.
        try parse(TextInput.read(path, what: "vector file"), path: path, for: interface)
    }

    /// Parses vector text; `path` is only used in error messages.
    public static func parse(_ text: String, path: String, for interface: VarTable) throws(SourceError) -> VectorFile {
        var columns: [Column]? = nil
        var rows: [Row] = []
        // "\r\n" is one Character in Swift: without this a CRLF file would be a single line.
        let text = TextInput.normalized(text)
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingSpaces()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let fields = CSVText.fields(line)?.map({ $0.trimmingSpaces() }) else {
                throw SourceError(file: path, line: lineNumber, "unterminated quoted field")
            }
            guard let header = columns else {
                columns = try parseHeader(fields, path: path, line: lineNumber, interface: interface)
                continue
            }
            guard fields.count == header.count + 1 else {
                throw SourceError(file: path, line: lineNumber,
                                  "expected \(header.count + 1) columns, found \(fields.count)")
            }
            guard let time = Int64(fields[0]) else {
                throw SourceError(file: path, line: lineNumber, "t_ms '\(fields[0])' is not a whole number of milliseconds")
            }
            if let last = rows.last, time <= last.time {
                throw SourceError(file: path, line: lineNumber,
                                  "t_ms \(time) does not increase (previous row has \(last.time))")
            }
            var cells: [IECValue?] = []
            for (column, field) in zip(header, fields.dropFirst()) {
                if field.isEmpty { cells.append(nil); continue }
                do {
                    cells.append(try IECLiteral.parse(field, as: column.decl.type))
                } catch {
                    throw SourceError(file: path, line: lineNumber, "column \(column.decl.name): \(error.message)")
                }
            }
            rows.append(Row(line: lineNumber, time: time, cells: cells))
        }
        guard let columns else { throw SourceError(file: path, line: nil, "no header line (expected t_ms,PIN,...)") }
        return VectorFile(path: path, columns: columns, rows: rows)
    }

    private static func parseHeader(_ fields: [String], path: String, line: Int,
                                    interface: VarTable) throws(SourceError) -> [Column] {
        guard fields.first == "t_ms" else {
            throw SourceError(file: path, line: line, "first column must be t_ms, found '\(fields.first ?? "")'")
        }
        var columns: [Column] = []
        var seen = Set<Int>()
        for name in fields.dropFirst() {
            guard let pin = interface.index(of: name) else {
                let pins = interface.decls.map(\.name).joined(separator: ", ")
                throw SourceError(file: path, line: line, "unknown pin '\(name)' for \(interface.name) (pins: \(pins))")
            }
            guard seen.insert(pin).inserted else {
                throw SourceError(file: path, line: line, "pin '\(name)' appears twice")
            }
            columns.append(Column(pin: pin, decl: interface.decls[pin]))
        }
        return columns
    }
}
