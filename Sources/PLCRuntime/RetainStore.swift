import PLCCore
import Glibc
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a start does with the saved RETAIN and PERSISTENT values (Codesys's reset levels).
public enum ResetLevel: String, Sendable, CaseIterable {
    /// Restore RETAIN and PERSISTENT values (a restart, a crash, a power cut).
    case warm
    /// RETAIN values start from their initial values; PERSISTENT values are restored.
    case cold
    /// Everything starts from its initial value; the saved images are deleted.
    case origin
}

/// The durable home of a program's retain set: two image files written alternately by a storage thread.
///
/// The scan thread copies the retained values at the end of a scan in which one changed
/// (`afterScan`) and hands the copy over under a short lock; the storage thread writes it, at most
/// once per `interval`, into the older of `<program>.retain-a` and `<program>.retain-b` (write,
/// fdatasync), so the other file always holds a whole image. A start restores the newest image whose
/// checksum matches (`restore`). A clean `stop` writes the last values at once.
///
/// A program with several tasks has one set per task (`sets`), all in one image: each task hands
/// over its own set's values after its own scan (`afterScan(now:part:)`), so the image holds every
/// task's values as of that task's last completed scan, never half a scan.
public final class RetainStore: @unchecked Sendable {
    /// One set per task, in task order.
    public let sets: [RetainSet]
    /// The first task's set (the whole program's with one task).
    public var set: RetainSet { sets[0] }
    /// Every item of every set, in image order: (set, index in the set).
    private let items: [(part: Int, index: Int)]
    public let folder: String
    /// The two image files.
    public let paths: [String]
    private let interval: Int64
    private let note: @Sendable (String) -> Void
    private let condition = ThreadCondition()
    private let thread = WorkerThread()
    /// Guarded by `condition`: the latest values handed over, and whether they are not yet written.
    private let shared: [Snapshot]
    private var dirty = false
    private var stopping = false
    /// Storage thread only.
    private let writing: [Snapshot]
    private var buffer: [UInt8] = []
    private var sequence: UInt64 = 0
    private var nextFile = 0
    private var folderSynced = false
    private var failed = false
    private var writeFailing = false
    /// Images written since the start (for tests and statistics).
    public private(set) var writes = 0

    /// A store for `set` in `folder` (created when missing), writing at most once per `interval` ms.
    public convenience init(set: RetainSet, folder: String, program: String, interval: Int64,
                            note: @escaping @Sendable (String) -> Void) {
        self.init(sets: [set], folder: folder, program: program, interval: interval, note: note)
    }

    /// A store for the sets of several tasks, all in one image (see the type's comment).
    public init(sets: [RetainSet], folder: String, program: String, interval: Int64,
                note: @escaping @Sendable (String) -> Void) {
        precondition(!sets.isEmpty)
        self.sets = sets
        items = sets.indices.flatMap { p in sets[p].items.indices.map { (p, $0) } }
        self.folder = folder
        self.interval = max(interval, 0) * 1_000_000
        self.note = note
        paths = ["a", "b"].map { folder.pathAppending("\(program).retain-\($0)") }
        shared = sets.map { $0.current.emptyCopy() }
        writing = sets.map { $0.current.emptyCopy() }
    }

    // MARK: - Start

    /// Reads the images and writes the saved values into the program before its first scan, as
    /// `level` says; returns the lines that tell what happened (each also given to `note`).
    @discardableResult
    public func restore(_ level: ResetLevel) -> [String] {
        var lines: [String] = []
        func say(_ line: String) {
            lines.append(line)
            note(line)
        }
        makeFolder(say)
        if level == .origin {
            for path in paths { unlink(path) }
            say("retain: origin reset: every RETAIN and PERSISTENT value starts from its initial value")
            publish()
            return lines
        }
        var newest: (image: RetainImage, file: Int)?
        var damaged: [(Int, RetainImage.Damage)] = []
        for (i, path) in paths.enumerated() {
            guard let bytes = Self.read(path) else { continue }
            do {
                let image = try RetainImage.decode(bytes)
                if newest.map({ image.sequence > $0.image.sequence }) ?? true { newest = (image, i) }
            } catch {
                damaged.append((i, error))
            }
        }
        if let newest {
            sequence = newest.image.sequence
            nextFile = 1 - newest.file
            for (i, damage) in damaged {
                say("retain: \(paths[i]) is damaged (\(damage)); restored the other image, #\(newest.image.sequence)")
            }
            apply(newest.image, level, say)
        } else if !damaged.isEmpty {
            let why = damaged.map { "\(paths[$0.0]): \($0.1)" }.joined(separator: "; ")
            say("retain: no usable image (\(why)): cold start, every RETAIN and PERSISTENT value starts from its initial value")
        }
        publish()
        return lines
    }

    private func apply(_ image: RetainImage, _ level: ResetLevel, _ say: (String) -> Void) {
        let items = self.items.map { sets[$0.part].items[$0.index] }
        // RETAIN: all or nothing, and only when the program retains exactly what the image holds.
        let wanted = Set(items.filter { $0.retain == .retain }.map { "\($0.path) : \($0.type)" })
        let saved = Set(image.entries.filter { $0.value.retain == .retain }.map { "\($0.key) : \($0.value.type)" })
        if level == .cold {
            if !wanted.isEmpty { say("retain: cold reset: RETAIN values start from their initial values") }
        } else if wanted != saved {
            if !wanted.isEmpty || !saved.isEmpty {
                let owners = { (keys: Set<String>) in
                    Set(keys.map { String($0.prefix { $0 != "." && $0 != " " }) }).sorted().joined(separator: ", ")
                }
                let added = owners(wanted.subtracting(saved)), removed = owners(saved.subtracting(wanted))
                var why: [String] = []
                if !added.isEmpty { why.append("added or changed: \(added)") }
                if !removed.isEmpty { why.append("removed or changed: \(removed)") }
                let names = Set(items.filter { $0.retain == .retain }.map(\.owner)).sorted().joined(separator: ", ")
                say("retain: the program's RETAIN variables changed (\(why.joined(separator: "; "))): "
                    + (names.isEmpty ? "nothing to re-initialise" : "\(names) start from their initial values"))
            }
        } else {
            restore(items.indices.filter { items[$0].retain == .retain }, from: image)
        }
        // PERSISTENT: one by one, by path and type.
        var matched: [Int] = []
        var changed: [String: (saved: String, now: String)] = [:]
        for (i, item) in items.enumerated() where item.retain == .persistent {
            guard let entry = image.entries[item.path] else { continue }
            if entry.type == item.type, entry.words.count == item.words.count, entry.strings.count == item.strings.count {
                matched.append(i)
            } else if changed[item.owner] == nil {
                changed[item.owner] = (entry.type, item.type)
            }
        }
        restore(matched, from: image)
        for (owner, types) in changed.sorted(by: { $0.key < $1.key }) {
            say("retain: PERSISTENT \(owner) changed type (\(Self.shortType(types.saved)) -> \(Self.shortType(types.now))): it starts from its initial value")
        }
        // An owner whose type changed starts whole from its initial values, not half restored.
        for (i, item) in items.enumerated() where changed[item.owner] != nil { sets[self.items[i].part].reinitialise(self.items[i].index) }
    }

    private static func shortType(_ type: String) -> String {
        String(type.prefix { $0 != ":" })
    }

    /// Restores the items at `indices` (of `items`) from `image`.
    private func restore(_ indices: [Int], from image: RetainImage) {
        guard !indices.isEmpty else { return }
        let snapshots = sets.map { $0.current.emptyCopy() }
        for i in indices {
            let (part, index) = items[i]
            let set = sets[part], snapshot = snapshots[part]
            let item = set.items[index]
            guard let entry = image.entries[item.path] else { continue }
            for (k, w) in item.words.enumerated() where k < entry.words.count { snapshot.words[w] = entry.words[k] }
            for (k, s) in item.strings.enumerated() where k < entry.strings.count { snapshot.strings[s] = entry.strings[k] }
            set.restore(index, from: snapshot, now: 0)
        }
    }

    private func makeFolder(_ say: (String) -> Void) {
        // Every prefix of the path, shortest first (mkdir -p).
        var end = folder.startIndex
        while end < folder.endIndex {
            end = folder[folder.index(after: end)...].firstIndex(of: "/") ?? folder.endIndex
            mkdir(String(folder[..<end]), 0o755)
        }
        var info = stat()
        if stat(folder, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR {
            failed = true
            say("retain: cannot create the state folder \(folder) (\(String(cString: strerror(errno)))): values are not saved")
        }
    }

    private static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return FileBytes.rest(of: fd).bytes
    }

    // MARK: - Running

    /// Starts the storage thread.
    public func start() {
        thread.start(name: "plc-retain") { [self] in loop() }
    }

    /// On the scan thread of task `part`, at the end of its scan at time `now` (ms): hands that
    /// task's values over when one changed.
    public func afterScan(now: Int64, part: Int = 0) {
        if sets[part].captureIfChanged(now: now) { handOver(part) }
    }

    /// Writes the last values (captured at time `now`) and stops the storage thread. With several
    /// tasks, call it once they have all stopped, with each task's time in `now`.
    public func stop(now: Int64) { stop(now: [now]) }

    /// `stop(now:)` for several tasks: `now[part]` is task `part`'s time (ms).
    public func stop(now: [Int64]) {
        for part in sets.indices { afterScan(now: part < now.count ? now[part] : now.last ?? 0, part: part) }
        condition.withLock {
            stopping = true
            condition.signal()
        }
        thread.join()
    }

    /// After a start: the values as restored (or reset) are the first image, written at once.
    private func publish() {
        for part in sets.indices {
            _ = sets[part].captureIfChanged(now: 0)
            handOver(part)
        }
    }

    private func handOver(_ part: Int) {
        condition.withLock {
            shared[part].copy(from: sets[part].current)
            dirty = true
            condition.signal()
        }
    }

    private func loop() {
        var lastWrite = Int64.min / 2
        condition.lock()
        while true {
            while !dirty && !stopping { condition.wait() }
            if !dirty { break }
            while !stopping {
                let wait = lastWrite + interval - MonotonicTime.nanoseconds()
                if wait <= 0 { break }
                condition.wait(until: Date(timeIntervalSinceNow: Double(wait) / 1e9))
            }
            for part in sets.indices { writing[part].copy(from: shared[part]) }
            dirty = false
            condition.unlock()
            lastWrite = MonotonicTime.nanoseconds()
            write()
            condition.lock()
        }
        condition.unlock()
    }

    /// Writes the current values as the next image on the calling thread, before `start` (for `plc bench`).
    public func writeNow() {
        for part in sets.indices { writing[part].copy(from: sets[part].current) }
        write()
    }

    /// Writes the next image into the older file: the newer one stays whole whatever happens meanwhile.
    private func write() {
        guard !failed else { return }
        sequence += 1
        RetainImage.encode(Array(zip(sets, writing)), sequence: sequence, into: &buffer)
        let path = paths[nextFile]
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        var ok = fd >= 0
        if ok {
            ok = buffer.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return false }
                    done += n
                }
                return true
            }
            ok = fdatasync(fd) == 0 && ok
            close(fd)
        }
        if !ok {
            // Once per outage, not once per write.
            if !writeFailing { note("retain: cannot write \(path) (\(String(cString: strerror(errno)))); the other image is kept") }
            writeFailing = true
            return
        }
        if writeFailing { note("retain: \(path) written again") }
        writeFailing = false
        if !folderSynced {
            // The files' names must be durable too: sync the folder once, after the first write.
            let dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dir >= 0 {
                fsync(dir)
                close(dir)
            }
            folderSynced = true
        }
        nextFile = 1 - nextFile
        writes += 1
    }
}
