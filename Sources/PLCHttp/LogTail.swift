import Glibc
import PLCCore

/// The last lines of a text file, read from its end (at most 64 KiB), for the Runtime page.
enum LogTail {
    /// Up to `count` last lines of `path`; empty when the file cannot be read.
    static func lines(_ path: String, count: Int) -> [String] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else { return [] }
        let start = end > 65_536 ? end - 65_536 : 0
        guard lseek(fd, start, SEEK_SET) == start else { return [] }
        var lines = String(decoding: FileBytes.rest(of: fd).bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        if start > 0, !lines.isEmpty { lines.removeFirst() }   // a partial first line
        return Array(lines.suffix(count))
    }
}
