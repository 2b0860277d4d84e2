import Glibc

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
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data += chunk[0..<n]
        }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        if start > 0, !lines.isEmpty { lines.removeFirst() }   // a partial first line
        return Array(lines.suffix(count))
    }
}
