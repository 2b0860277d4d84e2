import Synchronization

/// Something that runs beside the scan: started before the first scan, stopped after the last.
///
/// Modbus buses, the storage writer, a simulator and later MQTT, SQL and HTTP sinks are services;
/// a `ServiceGroup` starts them in order and stops them in reverse.
public protocol RuntimeService: AnyObject {
    /// A short name for start-up and shutdown messages.
    var serviceName: String { get }
    /// Starts the service's threads; throws when it cannot run at all.
    func start() throws
    /// Stops gracefully: writes or sends what must not be lost, then ends its threads.
    func stop()
    /// Why the started service no longer works (its thread ended by itself); nil while it works.
    var failure: String? { get }
    /// What the runtime does when it fails while running.
    var onFailure: FailurePolicy { get }
}

/// What the runtime does with a service that fails while running: either way it is reported once.
public enum FailurePolicy: Sendable, Equatable {
    /// Stop it and start it again, after 1 s, then 2, 4, ... at most 60 s between attempts.
    case restart
    /// Stop the runtime (clean stop of everything else) with a non-zero exit.
    case stopRuntime
}

extension RuntimeService {
    public var failure: String? { nil }
    public var onFailure: FailurePolicy { .stopRuntime }
}

/// A service around one worker (a sink's thread): a restart replaces the worker with a new one,
/// since a worker's thread starts once. The block that owns it reads `worker` between scans.
public final class WorkerService<Worker: AnyObject & Sendable>: RuntimeService, Sendable {
    public let serviceName: String
    public let onFailure: FailurePolicy
    private let make: @Sendable () -> Worker
    private let run: @Sendable (Worker) -> Void
    private let end: @Sendable (Worker) -> Void
    private let ended: @Sendable (Worker) -> Bool
    private let current = Mutex<Worker?>(nil)

    /// `make` builds a worker, `start` and `stop` run and end its thread, `hasEnded` says it has ended.
    public init(_ name: String, onFailure: FailurePolicy = .restart, make: @escaping @Sendable () -> Worker,
                start: @escaping @Sendable (Worker) -> Void, stop: @escaping @Sendable (Worker) -> Void,
                hasEnded: @escaping @Sendable (Worker) -> Bool) {
        serviceName = name
        self.onFailure = onFailure
        self.make = make
        run = start
        end = stop
        ended = hasEnded
    }

    /// The worker now: nil before the start; a new one after each restart.
    public var worker: Worker? { current.withLock { $0 } }

    public func start() {
        let worker = make()
        current.withLock { $0 = worker }
        run(worker)
    }

    public func stop() {
        if let worker { end(worker) }
    }

    public var failure: String? {
        guard let worker, ended(worker) else { return nil }
        return "its worker thread ended by itself"
    }
}
