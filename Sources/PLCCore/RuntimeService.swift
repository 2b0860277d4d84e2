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
}
