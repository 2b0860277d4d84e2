import Glibc
public import PLCCore
import Synchronization

/// The one place the scan thread and the HTTP server meet: the scan publishes snapshots, the server reads them.
///
/// Publishing is on demand: the scan builds a snapshot only while a client asked within `idle` and
/// the last one is older than `interval`, so a server nobody reads costs the scan one atomic load.
public final class SnapshotBox: Sendable {
    /// Shortest time between two snapshots, in ns.
    public let interval: Int64
    /// A client that asked less than this long ago (ns) keeps snapshots coming.
    public let idle: Int64
    private let lastDemand = Atomic<Int64>(Int64.min / 2)
    /// Set by every request, cleared by the scan once nobody asked for `idle`: the scan's fast path.
    private let watched = Atomic<Bool>(false)
    private let lastPublished = Atomic<Int64>(Int64.min / 2)
    private let current: Mutex<RuntimeSnapshot?> = Mutex(nil)
    private let published = Atomic<UInt64>(0)

    /// A box publishing at most once per `interval` ns while a client asked within `idle` ns.
    public init(interval: Int64 = 500_000_000, idle: Int64 = 30_000_000_000) {
        self.interval = interval
        self.idle = idle
    }

    /// Scan side: true when a snapshot should be built now. Allocation-free; `now` (the monotonic
    /// time in ns) is only evaluated while a client is watching.
    public func wantsSnapshot(now: @autoclosure () -> Int64) -> Bool {
        guard watched.load(ordering: .relaxed) else { return false }
        let now = now()
        guard now - lastDemand.load(ordering: .relaxed) < idle else {
            watched.store(false, ordering: .relaxed)   // a request racing this sets it again on its next look
            return false
        }
        return now - lastPublished.load(ordering: .relaxed) >= interval
    }

    /// Scan side: true while a client asked within `idle` (each task of several keeps its own interval).
    public func isWatched(now: Int64) -> Bool {
        watched.load(ordering: .relaxed) && now - lastDemand.load(ordering: .relaxed) < idle
    }

    /// Scan side: makes `snapshot` the current one.
    public func publish(_ snapshot: RuntimeSnapshot) {
        current.withLock { $0 = snapshot }
        lastPublished.store(snapshot.monotonic, ordering: .relaxed)
        published.add(1, ordering: .relaxed)
    }

    /// How many snapshots were published since start.
    public var publishedCount: UInt64 { published.load(ordering: .relaxed) }

    /// Server side: the latest snapshot, and a note that a client is watching.
    public func latest(now: Int64 = MonotonicTime.nanoseconds()) -> RuntimeSnapshot? {
        lastDemand.store(now, ordering: .relaxed)
        watched.store(true, ordering: .relaxed)
        return current.withLock { $0 }
    }

    /// Server side: a snapshot at most `interval` old, waiting up to `timeout` ns for the scan to
    /// publish one; the latest one (or nil) when the scan does not answer in time. Blocks the
    /// calling (server) thread meanwhile.
    public func fresh(timeout: Int64 = 1_000_000_000) -> RuntimeSnapshot? {
        let asked = MonotonicTime.nanoseconds()
        var snapshot = latest(now: asked)
        while (snapshot?.monotonic ?? .min) < asked - interval, MonotonicTime.nanoseconds() - asked < timeout {
            usleep(10_000)
            snapshot = latest()
        }
        return snapshot
    }
}
