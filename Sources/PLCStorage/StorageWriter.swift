#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PLCCore
import Glibc
import Synchronization

/// The one thread that touches files and standard output, so a scan never waits for a disk.
///
/// Messages (log lines, display text) are written first, as they come. CSV rows wait in a bounded
/// FIFO; a row that cannot be written stays at the head and is retried with back-off until the disk
/// is back. When the FIFO is full the oldest row is dropped and counted as lost, never silently.
public final class StorageWriter: @unchecked Sendable {
    /// One CSV row to append.
    struct Row {
        let folder: String
        var fileName: String
        let header: String
        var line: String
        let status: CSVStatus
        let ticket: UInt64
        /// For rows whose time the writer checks: the row's local and monotonic time (ms), the file
        /// prefix, and the cells after the timestamp, so a row held under a wrong clock can be re-dated.
        var dated: (local: Int64, monotonic: Int64, prefix: String, cells: String)?

        mutating func redate(_ local: Int64) {
            guard let d = dated else { return }
            dated = (local, d.monotonic, d.prefix, d.cells)
            line = CivilTime.timestamp(local) + (d.cells.isEmpty ? "" : "," + d.cells)
            fileName = "\(d.prefix)_\(CivilTime.date(local)).csv"
        }
    }

    enum Message {
        case line(String, path: String)
        case standardOutput(String)
        /// The shutdown line: written after the last attempt at the queued rows, and says how many failed.
        case closing(String, path: String)
        /// Close the open CSV files, so the next row opens them again by name (SIGHUP, log rotation).
        case reopen
    }

    /// Rows the queue holds before the oldest is dropped (a week of 5-minute rows is 2016).
    public let rowCapacity: Int
    private let retryMin: Int64
    private let retryMax: Int64
    private let condition = ThreadCondition()
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
    /// Rows that could not be written at shutdown, and why (read once the thread has ended).
    public private(set) var unwrittenAtStop = 0
    /// Rows a stop wrote to the side file (`heldFileName`) because the clock was not trusted.
    public private(set) var heldAtStop = 0
    private var heldPath: String?
    private var stopFault: StorageError?
    private var closing: [(line: String, path: String)] = []
    private let lockGuard = ThreadLock()
    // Guarded by `lockGuard`: the lock file of every CSV folder this process writes, and the
    // first folder found locked by another program.
    private var folderLocks: [String: Int32] = [:]
    private var firstConflict: String?
    /// Set (after `firstConflict`, under the lock) once there is a conflict: `conflict` is read
    /// before every scan, and a healthy run then costs one atomic load instead of a lock round trip.
    private let hasConflict = Atomic<Bool>(false)

    /// The plausible-time floor of this writer's rows (local ms): `ClockFloor.earliest`, the build
    /// date; a virtual-time run of an earlier date passes `ClockFloor.projectStart`.
    public let earliest: Int64

    public init(rowCapacity: Int = 10_000, retryMin: Int64 = 1_000, retryMax: Int64 = 30_000, earliest: Int64 = ClockFloor.earliest) {
        self.earliest = earliest
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
        releaseFolders()
    }

    /// Gives the CSV folders' locks back (at stop; the process ending does it too).
    private func releaseFolders() {
        lockGuard.withLock {
            for fd in folderLocks.values { close(fd) }
            folderLocks.removeAll()
        }
    }

    deinit {
        releaseFolders()
    }

    /// Queues a row for `folder/fileName` (created with `header` when new); returns its ticket in `status`.
    public func append(row line: String, folder: String, fileName: String, header: String, status: CSVStatus) -> UInt64 {
        enqueue(Row(folder: folder, fileName: fileName, header: header, line: line, status: status, ticket: 0))
    }

    private func enqueue(_ new: Row) -> UInt64 {
        let status = new.status
        let ticket = status.issueTicket()
        let row = Row(folder: new.folder, fileName: new.fileName, header: new.header, line: new.line, status: status,
                      ticket: ticket, dated: new.dated)
        condition.lock()
        if rows.count >= rowCapacity {
            let dropped = rows.removeFirst()
            dropped.status.dropped(dropped.ticket)
        }
        rows.append(row)
        // A plausible row after rows held under a wrong clock: try at once rather than after the back-off.
        if let local = row.dated?.local, local >= earliest { retryAt = 0 }
        // A disk in fault answers at once: the row is queued behind the failing one.
        if let fault = status.fault { status.failed(ticket, fault) }
        condition.signal()
        condition.unlock()
        return ticket
    }

    /// Queues a row of `cells` (after the timestamp) for local time `local` and monotonic time
    /// `monotonic` (ms) into `folder/prefix_YYYY-MM-DD.csv`. A row whose time is clearly wrong
    /// (see `ClockFloor`) waits, with a clock fault, until a row with a plausible time arrives;
    /// then the held rows are dated from the monotonic clock and written in order.
    public func append(cells: String, local: Int64, monotonic: Int64, prefix: String, folder: String, header: String,
                       status: CSVStatus) -> UInt64 {
        var row = Row(folder: folder, fileName: "", header: header, line: "", status: status, ticket: 0,
                      dated: (local, monotonic, prefix, cells))
        row.redate(local)
        return enqueue(row)
    }

    /// Queues a line for the text file at `path`.
    public func append(line: String, to path: String) {
        post(.line(line, path: path))
    }

    /// The first CSV folder that another program holds, in words: the program must not go on.
    /// True once the writer's thread has ended (after `stop`, or because it died).
    public var hasEnded: Bool { thread.hasEnded }

    public var conflict: String? {
        guard hasConflict.load(ordering: .acquiring) else { return nil }
        return lockGuard.withLock { firstConflict }
    }

    /// Takes this writer's `flock` for `folder` (kept until `stop()`), so a second
    /// program never writes every row twice. Returns the one-line error when another program holds
    /// it; nil when the lock is ours or the folder does not exist yet (its first row tries again).
    public func lockFolder(_ folder: String) -> String? {
        var resolved = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard realpath(folder, &resolved) != nil else { return nil }
        let key = String(decoding: resolved.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return lockGuard.withLock { () -> String? in
            if folderLocks[key] != nil { return nil }
            // The lock file lives outside the folder: an open file in it would keep its disk from
            // being unmounted, and the CSV folder holds nothing but rows.
            let fd = open(Self.lockPath(for: key), O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
            guard fd >= 0 else { return nil }       // no lock directory writable: nothing to guard with
            if let holder = ExclusiveLock.take(fd) {
                close(fd)
                let message = "CSV folder \(folder) is in use by \(holder); one program per CSV folder"
                if firstConflict == nil {
                    firstConflict = message
                    hasConflict.store(true, ordering: .releasing)
                }
                return message
            }
            folderLocks[key] = fd
            return nil
        }
    }

    /// Waits (up to `timeout` seconds) until every queued row is written or waits behind a disk
    /// fault. For virtual-time runs, whose clock runs far ahead of any disk.
    public func settle(timeout: Double = 5) {
        let deadline = MonotonicTime.milliseconds() + Int64(timeout * 1000)
        while MonotonicTime.milliseconds() < deadline {
            if condition.withLock({ rows.isEmpty || retryAt != 0 }) { return }
            usleep(100)
        }
    }

    /// The lock file of the folder at the resolved path `folder`: in /run/lock (or the temporary
    /// folder), named after a hash of the path, so every program on this machine finds the same one.
    static func lockPath(for folder: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325          // FNV-1a
        for byte in folder.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let dir = access("/run/lock", W_OK) == 0 ? "/run/lock" : FileManager.default.temporaryDirectory.path
        return dir.pathAppending("plc-csv-\(String(hash, radix: 16)).lock")
    }

    /// Queues the shutdown line for `path`: it is written after the queued rows had their last
    /// attempt, with how many could not be written appended.
    public func appendClosing(line: String, to path: String) {
        post(.closing(line, path: path))
    }

    /// Closes the open CSV files; the next row opens its file again by name (after a log rotation).
    public func reopen() {
        post(.reopen)
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

            for message in pendingMessages {
                if case .closing(let line, let path) = message { closing.append((line, path)) } else { write(message) }
            }
            if finishing {
                drain()
                for (line, path) in closing { write(.line(line + closingNote(), path: path)) }
                return
            }
            if let head, MonotonicTime.milliseconds() >= retryAt { attempt(head) }
        }
    }

    /// At stop: one more attempt per remaining row, in order, with the files opened afresh (the disk
    /// may be back while the retry back-off still waits); what still fails is counted as lost.
    private func drain() {
        files.removeAll()
        var failing = false
        while let head = condition.withLock({ rows.first }) {
            if !failing {
                do throws(StorageError) {
                    var row = head
                    if clockFault(&row) != nil {
                        // Its day's file cannot take it under this clock: keep it, with the clock's time, beside them.
                        row.fileName = Self.heldFileName(prefix: row.dated?.prefix ?? "")
                        heldAtStop += 1
                        heldPath = row.folder.pathAppending(row.fileName)
                    }
                    try write(row)
                    row.status.wrote(row.ticket)
                    condition.withLock { _ = rows.removeFirst() }
                    continue
                } catch {
                    failing = true
                    stopFault = error
                }
            }
            unwrittenAtStop += 1
            head.status.dropped(head.ticket)
            condition.withLock { _ = rows.removeFirst() }
        }
    }

    /// The side file for rows a stop finds held under an untrusted clock: `<prefix>.held.csv`, a
    /// name the readers of `<prefix>_*.csv` (outbox, reports, clock floor) leave alone.
    public static func heldFileName(prefix: String) -> String { prefix + ".held.csv" }

    /// What the shutdown line adds when rows could not be written or went to the side file.
    private func closingNote() -> String {
        var notes: [String] = []
        if heldAtStop > 0 {
            notes.append("\(heldAtStop) CSV row\(heldAtStop == 1 ? "" : "s") held under an untrusted clock went to "
                         + (heldPath ?? ""))
        }
        if unwrittenAtStop > 0 {
            notes.append("\(unwrittenAtStop) queued CSV row\(unwrittenAtStop == 1 ? "" : "s") could not be written"
                         + (stopFault.map { ": \($0.description)" } ?? ""))
        }
        return notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")"
    }

    /// What the folder's newest row says of the clock, per folder and prefix, found at the first
    /// row; `trusted` once the clock was found good enough to overrule it (writer thread only).
    private var floors: [String: (newest: ClockFloor.NewestRow?, trusted: Bool)] = [:]

    /// True when the queued rows, from the head on, show the wall clock running in step with the
    /// monotonic clock (within 2 s) for at least `ClockFloor.steadyTrustAfter`.
    private func clockRanSteadily() -> Bool {
        condition.withLock {
            guard let first = rows.first?.dated else { return false }
            let offset = first.local - first.monotonic
            var last = first.monotonic
            for row in rows {
                guard let d = row.dated else { continue }
                guard abs(d.local - d.monotonic - offset) <= 2_000 else { return false }
                last = d.monotonic
            }
            return last - first.monotonic >= ClockFloor.steadyTrustAfter
        }
    }

    /// Nil when `row` may be written now (re-dated if it was held), or the clock fault that holds it.
    private func clockFault(_ row: inout Row) -> StorageError? {
        guard let d = row.dated else { return nil }
        let key = row.folder + "/" + d.prefix
        var known = floors[key] ?? (ClockFloor.newestRow(folder: row.folder, prefix: d.prefix), false)
        defer { floors[key] = known }
        if d.local >= earliest, let newest = known.newest, !known.trusted, d.local < newest.local {
            // Only the newest row speaks against the clock: trust a synchronised or steady clock over one file.
            let why = ClockFloor.kernelSynchronised() ? "the kernel says the clock is synchronised"
                : clockRanSteadily() ? "the clock has run steadily for \(CivilTime.duration(ClockFloor.steadyTrustAfter))" : nil
            if let why {
                known.trusted = true
                Console.write("\(row.folder.pathAppending(newest.file)) holds a row at \(CivilTime.timestamp(newest.local)), "
                              + "after the clock's \(CivilTime.timestamp(d.local)); \(why): rows are written by the clock\n", to: 2)
            }
        }
        let floor = known.trusted ? earliest : max(earliest, known.newest?.local ?? .min)
        guard d.local < floor else { return nil }
        // A later row with a plausible time gives the clock's offset: date the held ones from it.
        let found = condition.withLock { () -> (local: Int64, monotonic: Int64)? in
            guard let good = rows.first(where: { ($0.dated?.local ?? .min) >= floor })?.dated else { return nil }
            return (good.local, good.monotonic)
        }
        if let found {
            let offset = found.local - found.monotonic
            condition.withLock {
                for i in rows.indices where (rows[i].dated?.local ?? .max) < floor {
                    rows[i].redate(rows[i].dated!.monotonic + offset)
                }
            }
            row.redate(d.monotonic + offset)
            Console.write("rows held while the clock was wrong are dated from the monotonic clock\n", to: 2)
            return nil
        }
        let wait = d.local < earliest ? "rows wait until the clock is set (NTP)"
            : "rows wait until the clock is set (NTP) or has run steadily for \(CivilTime.duration(ClockFloor.steadyTrustAfter))"
        let source = floor == earliest ? "the program's earliest date"
            : "the newest row, in \(known.newest?.file ?? "?")"
        return StorageError(path: row.folder, code: UInt32(EAGAIN),
                            reason: "the clock says \(CivilTime.timestamp(d.local)), before \(CivilTime.timestamp(floor)) "
                                + "(\(source)); " + wait)
    }

    private func attempt(_ head: Row) {
        var row = head
        do throws(StorageError) {
            if let fault = clockFault(&row) { throw fault }
            try write(row)
            row.status.wrote(row.ticket)
            condition.lock()
            if rows.first?.ticket == row.ticket, rows.first?.status === row.status { rows.removeFirst() }
            retryAt = 0
            condition.unlock()
            backoff = retryMin
        } catch {
            condition.lock()
            for queued in rows { queued.status.failed(queued.ticket, error) }
            retryAt = MonotonicTime.milliseconds() + backoff
            condition.unlock()
            backoff = min(backoff * 2, retryMax)
        }
    }

    private func write(_ row: Row) throws(StorageError) {
        let path = row.folder.pathAppending(row.fileName)
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
            try Self.makeFolder(row.folder)
        }
        var info = stat()
        guard stat(row.folder, &info) == 0 else {
            let e = errno
            guard e == ENOENT else { throw StorageError(path: row.folder) }
            throw StorageError(path: row.folder, code: UInt32(ENOENT), reason: "the folder is missing (disk not mounted?)")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw StorageError(path: row.folder, code: UInt32(ENOTDIR), reason: "it is not a folder (a file of that name is in the way)")
        }
        if let conflict = lockFolder(row.folder) {
            throw StorageError(path: row.folder, code: UInt32(EBUSY), reason: conflict)
        }
        // Files of other days are finished: keep only the current one open.
        files = files.filter { $0.key.hasPrefix(row.folder + "/") == false }
        let file = try CSVFile(path: CSVFile.pathWithHeader(row.header, for: path), header: row.header)
        if file.path != path {
            Console.write("\(path) has another header (an older version, or a file cut by a log rotation): "
                          + "rows go to \(file.path) instead\n", to: 2)
        }
        files[path] = file
        return file
    }

    /// Creates `folder` and its parents, keeping the errno of the step that failed.
    static func makeFolder(_ folder: String) throws(StorageError) {
        var info = stat()
        if stat(folder, &info) == 0 { return }
        let parent = folder.pathDeletingLastComponent
        if !parent.isEmpty, parent != folder { try makeFolder(parent) }
        if mkdir(folder, 0o755) != 0 && errno != EEXIST {
            let e = errno
            throw StorageError(path: folder, code: UInt32(e), reason: "cannot create the folder: \(String(cString: strerror(e)))")
        }
    }

    private func write(_ message: Message) {
        switch message {
        case .standardOutput(let text):
            Console.write(text, to: 1)
        case .reopen:
            files.removeAll()
        case .closing(let line, let path):
            closing.append((line, path))
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
