import Glibc
import Synchronization

/// The running program's error logs, for lines a worker thread must write there itself (an MQTT
/// publish the broker would refuse, say), from any thread.
///
/// A running `StorageIO` joins when it starts and leaves when it stops; a line posted while no
/// program runs goes nowhere (the poster has already said it on the journal). Lines are stamped
/// with the local time they are posted and queued on the storage writer like the EventLog's own.
public enum ErrorLogRoute {
    private static let targets = Mutex<[ObjectIdentifier: @Sendable (String, String) -> Void]>([:])

    /// Writes `level` `text` once into every error log of every running program; any thread.
    public static func post(_ level: String, _ text: String) {
        let sinks = targets.withLock { Array($0.values) }
        for sink in sinks { sink(level, text) }
    }

    static func join(_ owner: AnyObject, _ sink: @escaping @Sendable (String, String) -> Void) {
        targets.withLock { $0[ObjectIdentifier(owner)] = sink }
    }

    static func leave(_ owner: AnyObject) {
        _ = targets.withLock { $0.removeValue(forKey: ObjectIdentifier(owner)) }
    }

    /// Local time now, in ms since 1970-01-01 00:00 local time (what the scan context calls localTime).
    public static func localNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var seconds = ts.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        return (Int64(ts.tv_sec) + Int64(parts.tm_gmtoff)) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// Lines posted from other threads, with their local time, until the scan thread takes them;
/// `take()` costs one atomic load while there are none.
final class PostedLines: Sendable {
    private let lines = Mutex<[(level: String, text: String, at: Int64)]>([])
    private let waiting = Atomic<Bool>(false)

    func add(_ level: String, _ text: String) {
        let at = ErrorLogRoute.localNow()
        lines.withLock { $0.append((level, text, at)) }
        waiting.store(true, ordering: .releasing)
    }

    /// True when lines wait (a hint: `take` says for sure).
    var isWaiting: Bool { waiting.load(ordering: .relaxed) }

    func take() -> [(level: String, text: String, at: Int64)] {
        guard waiting.exchange(false, ordering: .acquiringAndReleasing) else { return [] }
        return lines.withLock { lines in
            defer { lines.removeAll() }
            return lines
        }
    }
}
