import Glibc

/// Writes text to standard output or standard error with write(2), giving up quietly when the
/// other end is gone (EPIPE): a closed pipe or journal must never stop a running program.
public enum Console {
    /// Writes all of `text` to `fd` (1 or 2), retrying short writes and EINTR; other errors drop the rest.
    public static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
