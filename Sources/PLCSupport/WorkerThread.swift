import Dispatch
import Synchronization

/// A named thread that runs one loop, and whose end can be awaited: the I/O workers' thread.
public final class WorkerThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private let state = Mutex(State.idle)
    private let ended = EndFlag()

    /// Set by the thread once its loop has returned.
    private final class EndFlag: Sendable {
        let value = Mutex(false)
    }

    private enum State { case idle, running, joined }

    public init() {}

    /// Starts `loop` on a new thread called `name` (once; later calls do nothing).
    public func start(name: String, _ loop: @escaping @Sendable () -> Void) {
        guard state.withLock({ state -> Bool in
            guard state == .idle else { return false }
            state = .running
            return true
        }) else { return }
        let started = DetachedThread.start(name: name) { [finished, ended] in
            loop()
            ended.value.withLock { $0 = true }
            finished.signal()
        }
        precondition(started, "\(name): the system refused a new thread")
    }

    /// True once the loop has returned (after a stop, or because it died); false before and while it runs.
    public var hasEnded: Bool { ended.value.withLock { $0 } }

    /// Waits until the loop has returned, but at most `timeout` seconds; true when it has returned
    /// (or never started). A thread given up on goes on to its end by itself.
    public func join(timeout: Double) -> Bool {
        let wait = state.withLock { $0 == .running }
        guard wait else { return true }
        guard finished.wait(timeout: .now() + timeout) == .success else { return false }
        state.withLock { $0 = .joined }
        return true
    }

    /// Waits until the loop has returned; returns at once if it never started or was joined before.
    public func join() {
        let wait = state.withLock { state -> Bool in
            defer { if state == .running { state = .joined } }
            return state == .running
        }
        if wait { finished.wait() }
    }
}
