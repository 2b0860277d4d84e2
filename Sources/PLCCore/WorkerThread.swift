import Dispatch
import Foundation

/// A named thread that runs one loop, and whose end can be awaited: the I/O workers' thread.
public final class WorkerThread: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var state = State.idle

    private enum State { case idle, running, joined }

    public init() {}

    /// Starts `loop` on a new thread called `name` (once; later calls do nothing).
    public func start(name: String, _ loop: @escaping @Sendable () -> Void) {
        guard lock.withLock({ () -> Bool in
            guard state == .idle else { return false }
            state = .running
            return true
        }) else { return }
        let thread = Thread { [finished] in
            loop()
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Waits until the loop has returned, but at most `timeout` seconds; true when it has returned
    /// (or never started). A thread given up on goes on to its end by itself.
    public func join(timeout: Double) -> Bool {
        let wait = lock.withLock { state == .running }
        guard wait else { return true }
        guard finished.wait(timeout: .now() + timeout) == .success else { return false }
        lock.withLock { state = .joined }
        return true
    }

    /// Waits until the loop has returned; returns at once if it never started or was joined before.
    public func join() {
        let wait = lock.withLock { () -> Bool in
            defer { if state == .running { state = .joined } }
            return state == .running
        }
        if wait { finished.wait() }
    }
}
