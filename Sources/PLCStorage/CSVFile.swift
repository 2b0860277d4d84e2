#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// An append-only CSV file that never ends in half a line.
///
/// Opening repairs a partial last line (left by a power cut) by cutting the file back to its last
/// newline; a file that is empty afterwards gets the header. Each row is one `write` of a complete
/// line, then `fdatasync`; a short write is cut back, so the file stays a list of whole rows.
final class CSVFile {
    let path: String
    private let fd: Int32
    private let header: String

    /// Opens (creating if needed) `path`, repairs its end, and writes `header` into an empty file.
    init(path: String, header: String) throws(StorageError) {
        self.path = path
        self.header = header
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
        // Emptied under us (logrotate's copytruncate): the header goes first again.
        var bytes = Array((size == 0 && !line.hasPrefix(header + "\n") ? header + "\n" + line : line).utf8)
        let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            var error = written < 0 ? StorageError(path: path) : StorageError(path: path, code: UInt32(EIO),
                                                                              reason: "short write (\(written) of \(bytes.count) bytes)")
            if written >= 0 {
                // A short write hides its reason; writing the rest gives the errno (ENOSPC, EFBIG, EDQUOT).
                let again = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
                if again < 0 { error = StorageError(path: path) }
            }
            if size >= 0 { _ = ftruncate(fd, size) }
            throw error
        }
        guard fdatasync(fd) == 0 else { throw StorageError(path: path) }
        bytes.removeAll()
    }

    /// `path`, or the first of `name_2.csv`, `name_3.csv`, ... that is new or starts with `header`:
    /// rows never go under another header (an older version's file, a file cut by a log rotation).
    static func pathWithHeader(_ header: String, for path: String) -> String {
        let stem = path.pathDeletingExtension, ext = path.pathExtensionPart
        var candidate = path
        for n in 2...1000 {
            guard let first = firstLine(candidate), first != header else { return candidate }
            candidate = "\(stem)_\(n)" + (ext.isEmpty ? "" : ".\(ext)")
        }
        return candidate
    }

    /// The first line of the file at `path` (without a byte-order mark or CR), nil when the file is
    /// missing or empty; a first line that is a prefix of nothing yet (no newline) counts as it is.
    static func firstLine(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &bytes, bytes.count)
        guard n > 0 else { return nil }
        var line = bytes[0..<n]
        if let newline = line.firstIndex(of: UInt8(ascii: "\n")) { line = line[..<newline] }
        else if n < bytes.count { return nil }       // only half a line: repair() cuts it, the header follows
        var text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        if text.hasSuffix("\r") { text.removeLast() }
        return text
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
