public import PLCCore

/// Starts services in order and stops them in reverse, so each one outlives everything that uses it.
///
/// The shape of swift-service-lifecycle's `ServiceGroup`, for a runtime whose services are threads:
/// a service is started as soon as it is added (a later one may depend on it, e.g. a bus on the
/// simulator's port), and `stop()` stops them last-first, each gracefully.
public final class ServiceGroup {
    private var services: [any RuntimeService] = []
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

    /// Stops every service in reverse start order; safe to call twice.
    public func stop() {
        while let service = services.popLast() { service.stop() }
    }
}
