import Glibc

/// The one reader of the logger's CSV files (`timestamp,...` rows): streams a file's lines in
/// fixed chunks from any byte offset, so memory stays flat in the file's size and a reader that
/// resumes (the SQL outbox's cursor) reads each byte once. Cells are split by `CSVText`'s rules.
public enum CSVLines {
    /// One line, without its line break (`\n` or `\r\n`); valid only during the call that gets it.
    public struct Line {
        /// The line's bytes.
        public let bytes: UnsafeBufferPointer<UInt8>
        /// The byte offset in the file where the line starts.
        public let start: Int
        /// The byte offset just after the line's `\n` (for the last line without one: the file's end).
        public let end: Int
        /// False for a last line without a line break (a row being written).
        public let complete: Bool

        /// The line as text.
        public var text: String { String(decoding: bytes, as: UTF8.self) }

        /// The cells' byte ranges in `bytes`, split at commas outside double quotes (`CSVText`);
        /// `ranges` is reused to avoid an allocation per line.
        public func cells(into ranges: inout [Range<Int>]) { CSVLines.cells(of: bytes, into: &ranges) }

        /// The text of a cell, unquoted as `CSVText.fields` does.
        public func cell(_ range: Range<Int>) -> String {
            let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            guard raw.first == "\"" else { return raw }
            return CSVText.fields(raw)?.first ?? raw
        }

        /// The cells as text.
        public var fields: [String] {
            var ranges: [Range<Int>] = []
            cells(into: &ranges)
            return ranges.map(cell)
        }
    }

    /// The cells' byte ranges in one line's `bytes`, split at commas outside double quotes (`CSVText`).
    public static func cells(of bytes: UnsafeBufferPointer<UInt8>, into ranges: inout [Range<Int>]) {
        ranges.removeAll(keepingCapacity: true)
        var cellStart = 0
        var quoted = false
        for i in 0..<bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if c == UInt8(ascii: ","), !quoted {
                ranges.append(cellStart..<i)
                cellStart = i + 1
            }
        }
        ranges.append(cellStart..<bytes.count)
    }

    /// What stopped a read: `errno` of the failing call.
    public struct Failure: Error, Sendable, Equatable {
        public let code: Int32
        /// `strerror`'s words for the code.
        public var reason: String { String(cString: strerror(code)) }
    }

    /// Calls `body` for each line of `path` from byte `offset` on, in order, until it returns false
    /// or the file ends. Reads `chunk` bytes at a time; a longer line grows the buffer to fit it.
    public static func read(_ path: String, from offset: Int = 0, chunk: Int = 65_536,
                            _ body: (Line) -> Bool) throws(Failure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(code: errno) }
        defer { close(fd) }
        try read(fd: fd, from: offset, chunk: chunk, body)
    }

    /// As `read(_:from:chunk:_:)`, on an open file.
    public static func read(fd: Int32, from offset: Int = 0, chunk: Int = 65_536, _ body: (Line) -> Bool) throws(Failure) {
        var buffer = [UInt8](repeating: 0, count: max(16, chunk))
        var bufferOffset = offset      // the file offset of buffer[0]
        var filled = 0
        var atEnd = false
        while !atEnd {
            if filled == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }  // a line longer than the buffer
            let n = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + filled, raw.count - filled, off_t(bufferOffset + filled))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(code: errno)
            }
            filled += n
            atEnd = n == 0
            let consumed: Int? = buffer.withUnsafeBufferPointer { all in
                var lineStart = 0
                while lineStart < filled {
                    let rest = UnsafeRawPointer(all.baseAddress! + lineStart)
                    let found = memchr(rest, Int32(UInt8(ascii: "\n")), filled - lineStart)
                    guard found != nil || atEnd else { break }
                    let newline = found.map { lineStart + (UnsafeRawPointer($0) - rest) } ?? filled
                    var end = newline
                    if end > lineStart && all[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    let line = Line(bytes: UnsafeBufferPointer(rebasing: all[lineStart..<end]), start: bufferOffset + lineStart,
                                    end: bufferOffset + min(newline + 1, filled), complete: found != nil)
                    if !body(line) { return nil }
                    lineStart = newline + 1
                }
                return min(lineStart, filled)
            }
            guard let consumed else { return }
            if consumed > 0 {
                buffer.withUnsafeMutableBufferPointer { all in
                    _ = memmove(all.baseAddress!, all.baseAddress! + consumed, filled - consumed)
                }
                filled -= consumed
                bufferOffset += consumed
            }
        }
    }

    /// The last complete line of `path` for which `accept` is true, reading backwards from the end
    /// in chunks (a year-long file costs one chunk); nil when there is none or the file cannot be read.
    public static func lastLine<T>(_ path: String, chunk: Int = 65_536, _ accept: (Line) -> T?) -> T? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        var limit = Int(info.st_size)          // lines starting here or later were looked at
        var from = max(0, limit - chunk)
        while true {
            var found: T?
            var firstKept = limit
            try? read(fd: fd, from: from, chunk: chunk) { line in
                if line.start >= limit { return false }
                if from > 0 && line.start == from { return true }   // maybe a line's tail: read whole in the next window
                if firstKept == limit { firstKept = line.start }
                if line.complete, let value = accept(line) { found = value }
                return true
            }
            if let found { return found }
            if from == 0 { return nil }
            limit = firstKept
            from = max(0, from - chunk)
        }
    }
}
