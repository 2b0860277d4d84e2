import Foundation
import PLCCore
import Glibc

/// The one thread that touches files and standard output, so a scan never waits for a disk.
///
/// Messages (log lines, display text) are written first, as they come. CSV rows wait in a bounded
/// FIFO; a row that cannot be written stays at the head and is retried with back-off until the disk
/// is back. When the FIFO is full the oldest row is dropped and counted as lost, never silently.
public final class StorageWriter: @unchecked Sendable {
    /// One CSV row to append.
    struct Row {
        let folder: String
        let fileName: String
        let header: String
        let line: String
        let status: CSVStatus
        let ticket: UInt64
    }

    enum Message {
        case line(String, path: String)
        case standardOutput(String)
    }

    /// Rows the queue holds before the oldest is dropped (a week of 5-minute rows is 2016).
    public let rowCapacity: Int
    private let retryMin: Int64
    private let retryMax: Int64
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var rows: [Row] = []
    private var messages: [Message] = []
    private var stopping = false
    private var retryAt: Int64 = 0
    private let thread = WorkerThread()
    // Writer thread only.
    private var files: [String: CSVFile] = [:]
    private var foldersSeen: Set<String> = []
    private var backoff: Int64

    public init(rowCapacity: Int = 10_000, retryMin: Int64 = 1_000, retryMax: Int64 = 30_000) {
        self.rowCapacity = rowCapacity
        self.retryMin = retryMin
        self.retryMax = retryMax
        backoff = retryMin
    }

    public func start() {
        thread.start(name: "plc.storage") { [self] in loop() }
    }

    /// Writes everything still queued (one attempt per row if the disk fails) and ends the thread.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        thread.join()
    }

    /// Queues a row for `folder/fileName` (created with `header` when new); returns its ticket in `status`.
    public func append(row line: String, folder: String, fileName: String, header: String, status: CSVStatus) -> UInt64 {
        let ticket = status.issueTicket()
        condition.lock()
        if rows.count >= rowCapacity {
            let dropped = rows.removeFirst()
            dropped.status.dropped(dropped.ticket)
        }
        rows.append(Row(folder: folder, fileName: fileName, header: header, line: line, status: status, ticket: ticket))
        // A disk in fault answers at once: the row is queued behind the failing one.
        if let fault = status.fault { status.failed(ticket, fault) }
        condition.signal()
        condition.unlock()
        return ticket
    }

    /// Queues a line for the text file at `path`.
    public func append(line: String, to path: String) {
        post(.line(line, path: path))
    }

    /// Queues text for standard output.
    public func print(_ text: String) {
        post(.standardOutput(text))
    }

    private func post(_ message: Message) {
        condition.lock()
        messages.append(message)
        condition.signal()
        condition.unlock()
    }

    // MARK: - Writer thread

    private func loop() {
        while true {
            condition.lock()
            while messages.isEmpty && !stopping && (rows.isEmpty || MonotonicTime.milliseconds() < retryAt) {
                if rows.isEmpty {
                    condition.wait()
                } else {
                    _ = condition.wait(until: Date(timeIntervalSinceNow: Double(retryAt - MonotonicTime.milliseconds()) / 1000))
                }
            }
            let pendingMessages = messages
            messages.removeAll(keepingCapacity: true)
            let head = rows.first
            let finishing = stopping
            condition.unlock()

            for message in pendingMessages { write(message) }
            if finishing {
                drain()
                return
            }
            if let head, MonotonicTime.milliseconds() >= retryAt { attempt(head) }
        }
    }

    /// At stop: one attempt per remaining row, in order; what still fails is counted as lost.
    private func drain() {
        condition.lock()
        let left = rows
        rows.removeAll()
        condition.unlock()
        var failing = false
        for row in left {
            if !failing, (try? write(row)) != nil {
                row.status.wrote(row.ticket)
            } else {
                failing = true
                row.status.dropped(row.ticket)
            }
        }
    }

    private func attempt(_ row: Row) {
        do {
            try write(row)
            row.status.wrote(row.ticket)
            condition.lock()
            if rows.first?.ticket == row.ticket, rows.first?.status === row.status { rows.removeFirst() }
            condition.unlock()
            backoff = retryMin
            retryAt = 0
        } catch {
            condition.lock()
            for queued in rows { queued.status.failed(queued.ticket, error) }
            retryAt = MonotonicTime.milliseconds() + backoff
            condition.unlock()
            backoff = min(backoff * 2, retryMax)
        }
    }

    private func write(_ row: Row) throws(StorageError) {
        let path = (row.folder as NSString).appendingPathComponent(row.fileName)
        do throws(StorageError) {
            let file: CSVFile
            if let open = files[path], open.isStillAtPath { file = open } else { file = try openFile(path, row: row) }
            try file.append(row.line + "\n")
        } catch {
            files[path] = nil          // reopen next time: the disk may have been remounted
            throw error
        }
    }

    private func openFile(_ path: String, row: Row) throws(StorageError) -> CSVFile {
        if !foldersSeen.contains(row.folder) {
            // Created only at the logger's first write: a folder that vanishes later is an
            // unmounted disk, and creating it would fill the card underneath the mount point.
            foldersSeen.insert(row.folder)
            if !FileManager.default.fileExists(atPath: row.folder) {
                do {
                    try FileManager.default.createDirectory(atPath: row.folder, withIntermediateDirectories: true)
                } catch {
                    throw StorageError(path: row.folder, code: UInt32(ENOENT), reason: "cannot create the folder")
                }
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: row.folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StorageError(path: row.folder, code: UInt32(ENOENT), reason: "the folder is missing (disk not mounted?)")
        }
        // Files of other days are finished: keep only the current one open.
        files = files.filter { $0.key.hasPrefix(row.folder + "/") == false }
        let file = try CSVFile(path: path, header: row.header)
        files[path] = file
        return file
    }

    private func write(_ message: Message) {
        switch message {
        case .standardOutput(let text):
            Console.write(text, to: 1)
        case .line(let line, let path):
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            var ok = false
            if fd >= 0 {
                let bytes = Array((line + "\n").utf8)
                ok = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
                _ = fdatasync(fd)
                close(fd)
            }
            if !ok {
                // The log itself cannot be written: say so where someone may see it, with the line.
                let why = String(cString: strerror(errno))
                Console.write("cannot write \(path): \(why): \(line)\n", to: 2)
            }
        }
    }
}
