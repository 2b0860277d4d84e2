import Foundation

/// The last lines of a text file, read from its end (at most 64 KiB), for the Runtime page.
enum LogTail {
    /// Up to `count` last lines of `path`; empty when the file cannot be read.
    static func lines(_ path: String, count: Int) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd() else { return [] }
        let start = end > 65_536 ? end - 65_536 : 0
        guard (try? handle.seek(toOffset: start)) != nil, let data = try? handle.readToEnd() else { return [] }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        if start > 0, !lines.isEmpty { lines.removeFirst() }   // a partial first line
        return Array(lines.suffix(count))
    }
}
