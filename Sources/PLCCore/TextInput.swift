import Glibc

/// Reads the text files users hand the runtime (programs, vector files, CSV inputs) the same way
/// whatever saved them: a UTF-8 byte-order mark is dropped, CRLF and CR line ends become LF, and
/// bytes that are not UTF-8, a NUL, or a path that is not a regular file are one-line errors.
public enum TextInput {
    /// The text of `path`, normalised; `what` names the file's role in messages ("program", "vector file").
    public static func read(_ path: String, what: String) throws(SourceError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw SourceError(file: path, line: nil, "cannot read \(what): \(openFailure(errno))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw SourceError(file: path, line: nil, "cannot read \(what): \(String(cString: strerror(errno)))")
        }
        // A FIFO or a device would block or never end; a folder has no text.
        guard info.st_mode & S_IFMT == S_IFREG else {
            let kind = switch info.st_mode & S_IFMT {
            case S_IFDIR: "a folder"
            case S_IFIFO: "a named pipe (FIFO)"
            case S_IFCHR, S_IFBLK: "a device"
            case S_IFSOCK: "a socket"
            default: "not a regular file"
            }
            throw SourceError(file: path, line: nil, "cannot read \(what): it is \(kind), not a regular file")
        }
        let (bytes, failed) = FileBytes.rest(of: fd)
        if failed { throw SourceError(file: path, line: nil, "cannot read \(what): \(String(cString: strerror(errno)))") }
        return try decode(bytes, path: path)
    }

    /// Why `open` failed, in words; for EMFILE also the limit that was reached and where it is set.
    public static func openFailure(_ code: Int32) -> String {
        let words = String(cString: strerror(code))
        guard code == EMFILE else { return code == ENFILE ? words + " (ENFILE: the whole system's limit, fs.file-max)" : words }
        var limit = rlimit()
        let soft = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 ? " of \(limit.rlim_cur)" : ""
        return words + " (EMFILE: this process has reached its limit\(soft) open files, ulimit -n; raise it, e.g. LimitNOFILE= in the service unit)"
    }

    /// `bytes` as normalised text, or the line of the first byte that is not UTF-8 text or a NUL.
    public static func decode(_ bytes: [UInt8], path: String) throws(SourceError) -> String {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let nul = body.firstIndex(of: 0) {
            throw SourceError(file: path, line: line(of: nul, in: body), "a NUL byte is not text (a binary file?)")
        }
        guard let text = String(validating: body, as: UTF8.self) else {
            var iterator = body.makeIterator()
            var decoder = UTF8()
            var offset = body.startIndex
            var valid = body.startIndex
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let s): offset += UTF8.width(s); valid = offset
                case .emptyInput: break loop
                case .error: break loop
                }
            }
            throw SourceError(file: path, line: line(of: valid, in: body), "bytes that are not UTF-8 text (save the file as UTF-8)")
        }
        return normalized(text)
    }

    /// `text` with a leading byte-order mark dropped and CRLF / CR line ends turned into LF.
    public static func normalized(_ text: String) -> String {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard text.utf8.contains(13) else { return text }
        return text.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
    }

    private static func line(of index: Int, in bytes: ArraySlice<UInt8>) -> Int {
        bytes[bytes.startIndex..<index].reduce(1) { $1 == 10 ? $0 + 1 : $0 }
    }
}
