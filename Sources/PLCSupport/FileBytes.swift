import Glibc

/// Whole-file reads over POSIX descriptors, for the places that cannot use Foundation's.
public enum FileBytes {
    /// The bytes of `fd` from its current position to the end (a read interrupted by a signal is
    /// retried); `failed` when a read failed, with `errno` set and what came before it in `bytes`.
    public static func rest(of fd: Int32) -> (bytes: [UInt8], failed: Bool) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return (bytes, n < 0) }
            bytes += chunk[0..<n]
        }
    }

    /// The text of `path` (a /proc file), empty when it cannot be opened.
    public static func text(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        return String(decoding: rest(of: fd).bytes, as: UTF8.self)
    }
}
