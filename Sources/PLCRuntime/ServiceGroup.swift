public import PLCCore

/// Starts services in order and stops them in reverse, so each one outlives everything that uses it.
///
/// The shape of swift-service-lifecycle's `ServiceGroup`, for a runtime whose services are threads:
/// a service is started as soon as it is added (a later one may depend on it, e.g. a bus on the
/// simulator's port), and `stop()` stops them last-first, each gracefully.
public final class ServiceGroup {
    // Checked between scans on the scan thread: `@exclusivity(unchecked)` spares each scan the
    // runtime's dynamic exclusivity checks (they only catch overlapping accesses on one thread).
    @exclusivity(unchecked) private var services: [any RuntimeService] = []
    private let log: (String) -> Void

    /// `log` receives one line per service failure; the group prints nothing else.
    public init(log: @escaping (String) -> Void = { _ in }) {
        self.log = log
    }

    /// The running services, in start order.
    public var running: [String] { services.map(\.serviceName) }

    /// Starts `service` and keeps it for `stop()`; if it fails, stops every service started before it.
    public func start(_ service: any RuntimeService) throws {
        do {
            try service.start()
        } catch {
            log("\(service.serviceName): cannot start: \(error)")
            stop()
            throw error
        }
        services.append(service)
    }

    /// Keeps `service`, already started by the caller, for `stop()` and supervision (an online
    /// change starts the services of added blocks off the scan thread).
    public func adopt(_ service: any RuntimeService) {
        services.append(service)
    }

    /// Forgets `service` without stopping it (an online change dropped its block; the caller stops it).
    public func remove(_ service: any RuntimeService) {
        services.removeAll { $0 === service }
    }

    /// Checks the running services for a failure, at most once a second (`now`: monotonic ns); call
    /// it between scans. A failed service is reported once on `log`; one with `.restart` is stopped
    /// and started again with back-off (1 s, doubling, at most 60 s); the first with `.stopRuntime`
    /// is returned (the runtime then stops with a non-zero exit), and stays returned.
    public func supervise(now: Int64) -> String? {
        guard fatal == nil, now >= nextCheck else { return fatal }
        nextCheck = now + 1_000_000_000
        for service in services {
            // Names are built (string interpolation, an allocation) only for a service that
            // failed or waits for a restart: a healthy runtime's check reads one flag per service.
            var failed: String?
            if restarts.isEmpty {
                failed = service.failure
                if failed == nil { continue }
            }
            let name = service.serviceName
            if let restart = restarts[name] {
                guard now >= restart.at else { continue }
                service.stop()
                do {
                    try service.start()
                    log("\(name): restarted")
                    restarts[name] = nil
                    backoff[name] = restart.next
                } catch {
                    log("\(name): cannot restart: \(error)")
                    restarts[name] = (now + restart.next * 1_000_000_000, min(restart.next * 2, 60))
                }
                continue
            }
            guard let why = failed ?? service.failure else { continue }
            switch service.onFailure {
            case .restart:
                let wait = backoff[name] ?? 1
                log("\(name): failed: \(why); restarting in \(wait) s")
                restarts[name] = (now + wait * 1_000_000_000, min(wait * 2, 60))
            case .stopRuntime:
                log("\(name): failed: \(why); the runtime stops")
                fatal = "\(name): \(why)"
                return fatal
            }
        }
        return nil
    }

    @exclusivity(unchecked) private var nextCheck: Int64 = 0
    @exclusivity(unchecked) private var fatal: String?
    /// Services waiting for a restart: when, and the wait after that.
    @exclusivity(unchecked) private var restarts: [String: (at: Int64, next: Int64)] = [:]
    /// The next wait of a service that was restarted before.
    private var backoff: [String: Int64] = [:]

    /// Stops every service in reverse start order; safe to call twice.
    public func stop() {
        while let service = services.popLast() { service.stop() }
    }
}
