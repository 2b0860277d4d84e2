import Foundation
import Glibc

/// An append-only CSV file that never ends in half a line.
///
/// Opening repairs a partial last line (left by a power cut) by cutting the file back to its last
/// newline; a file that is empty afterwards gets the header. Each row is one `write` of a complete
/// line, then `fdatasync`; a short write is cut back, so the file stays a list of whole rows.
final class CSVFile {
    let path: String
    private let fd: Int32

    /// Opens (creating if needed) `path`, repairs its end, and writes `header` into an empty file.
    init(path: String, header: String) throws(StorageError) {
        self.path = path
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageError(path: path) }
        self.fd = fd
        do {
            try repair()
            if lseek(fd, 0, SEEK_END) == 0 { try append(header + "\n") }
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        close(fd)
    }

    /// True while the open file is still the one at `path`: a deleted or replaced file (a folder
    /// removed, a disk unmounted and mounted again) would otherwise swallow rows without a name.
    var isStillAtPath: Bool {
        var atPath = stat(), open = stat()
        guard stat(path, &atPath) == 0, fstat(fd, &open) == 0 else { return false }
        return atPath.st_dev == open.st_dev && atPath.st_ino == open.st_ino
    }

    /// Appends one complete line (with its newline) in a single write and syncs it to the disk.
    func append(_ line: String) throws(StorageError) {
        let size = lseek(fd, 0, SEEK_END)
        var bytes = Array(line.utf8)
        let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            let error = written < 0 ? StorageError(path: path) : StorageError(path: path, code: UInt32(EIO),
                                                                              reason: "short write (\(written) of \(bytes.count) bytes)")
            if size >= 0 { _ = ftruncate(fd, size) }
            throw error
        }
        guard fdatasync(fd) == 0 else { throw StorageError(path: path) }
        bytes.removeAll()
    }

    /// Cuts a partial last line back to the last newline.
    private func repair() throws(StorageError) {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return }
        var last: UInt8 = 0
        guard pread(fd, &last, 1, size - 1) == 1 else { throw StorageError(path: path) }
        if last == UInt8(ascii: "\n") { return }
        // Read backwards in chunks until a newline or the start of the file.
        var end = size
        var keep: off_t = 0
        var chunk = [UInt8](repeating: 0, count: 4096)
        search: while end > 0 {
            let start = max(0, end - off_t(chunk.count))
            let count = Int(end - start)
            guard pread(fd, &chunk, count, start) == count else { throw StorageError(path: path) }
            for i in stride(from: count - 1, through: 0, by: -1) where chunk[i] == UInt8(ascii: "\n") {
                keep = start + off_t(i) + 1
                break search
            }
            end = start
        }
        guard ftruncate(fd, keep) == 0, fdatasync(fd) == 0 else { throw StorageError(path: path) }
    }
}

/// A failed file operation: errno and the C library's message, with the path.
public struct StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    /// errno (28 = no space left, 30 = read-only file system, 2 = missing, 13 = permission denied).
    public let code: UInt32
    public let reason: String

    init(path: String, code: UInt32, reason: String) {
        self.path = path
        self.code = code
        self.reason = reason
    }

    /// The error in errno right now.
    init(path: String) {
        let e = errno
        self.init(path: path, code: UInt32(e), reason: String(cString: strerror(e)))
    }

    public var description: String { "Cannot write \(path): \(reason)" }
}
