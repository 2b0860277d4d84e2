public import PLCCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
public import PLCStorage

/// Publishes live values to an MQTT broker (with Home Assistant discovery) from a worker beside the scan.
///
/// A rising `xExecute` (a poll ended) publishes one state message; the settings are read before the
/// first scan with a non-empty `sBroker` (empty: the sink is off). `xFault` is TRUE while the
/// broker has been unreachable for more than 5 s, for an ErrorLatch and an EventLog.
public final class MqttPublish: IOBlock {
    public static let summary = "Publishes live values over MQTT."

    @Input("rising edge publishes the values (wire: a poll ended)") public var xExecute = false
    @Input("host:port of the broker; empty = off") public var sBroker = ""
    @Input("first topic level") public var sPrefix = "plc"
    @Input("site topic level; empty = this machine's host name") public var sSite = ""
    @Input("location topic level") public var sLocation = ""
    @Input("user name; ${NAME} reads the environment; empty = none") public var sUser = ""
    @Input("password; ${NAME} reads the environment") public var sPassword = ""
    @Input("CA certificate file: non-empty turns TLS on") public var sCaFile = ""
    @Input("value names, comma-separated") public var sColumns = ""
    @Input("units, comma-separated, one per column") public var sUnits = ""
    @Input("FALSE publishes every value as null") public var xValid = true
    @Input("the quality when xValid is FALSE") public var sStatus = ""
    @ArrayPin(.input, count: ValueColumns.capacity, "the values, one per column") public var alrValues: PinArray<Double>
    @ArrayPin(.input, .usint, count: ValueColumns.capacity, "digits after the point, per column (the register's resolution)")
    public var auiDecimals: PinArray<UInt8>
    @ArrayPin(.input, count: ValueColumns.capacity, "FALSE empties that column's cell", initial: true)
    public var axValid: PinArray<Bool>
    @Output("the broker link is up") public var xConnected = false
    @Output("TRUE while the broker is unreachable") public var xFault = false
    @Output("why the link is down") public var sError = ""
    @Output("state messages handed to the broker since start") public var udiPublished: UInt32 = 0
    /// The three column arrays as one view.
    public var columns: ValueColumns { ValueColumns(values: alrValues, decimals: auiDecimals, valid: axValid) }
    @exclusivity(unchecked) private var lastExecute = false
    @exclusivity(unchecked) private var pending: String?
    @exclusivity(unchecked) private var downSince: Int64?
    @exclusivity(unchecked) private var now: Int64 = 0
    private var service: WorkerService<MqttClient>?
    /// The broker client now (a new one after a restart); nil while the sink is off.
    public var client: MqttClient? { service?.worker }

    public init() {}

    public func readInputs() {
        guard let client else { return }
        let status = client.status
        xConnected = status.connected
        if sError != status.error { sError = status.error }
        udiPublished = UInt32(truncatingIfNeeded: status.published)
        if status.connected { downSince = nil } else if downSince == nil { downSince = now }
        xFault = !status.connected && now - (downSince ?? now) > 5_000
    }

    public func execute(_ context: ScanContext) {
        now = context.time
        if xExecute && !lastExecute && client != nil {
            let names = ValueColumns.names(sColumns)
            let cells = names.indices.map { columns.text($0, sourceValid: xValid) }
            pending = MqttState.payload(wallClockMs: context.wallClock, quality: xValid ? "good" : (sStatus.isEmpty ? "bad" : sStatus),
                                        columns: names, units: sUnits.split(separator: ",", omittingEmptySubsequences: false)
                                            .map { $0.trimmingSpaces() }, cells: cells)
        }
        lastExecute = xExecute
    }

    public func writeOutputs() {
        if let payload = pending {
            pending = nil
            client?.publish(state: payload)
        }
    }
}

extension MqttPublish: ServiceOwner {
    /// The broker client, when `sBroker` is set: one service of the runtime's group, started before
    /// the first scan, stopped after the blocks' shutdown, restarted with back-off if its thread dies.
    /// A broker that is not host:port is the block's fault (`xFault`, `sError`), as before.
    public func makeServices() throws(IECError) -> [any RuntimeService] {
        guard service == nil else { return [] }
        guard let broker = MqttSettings.broker(sBroker) else {
            if !sBroker.isEmpty {
                sError = "MqttBroker '\(sBroker)' is not host:port"
                xFault = true
            }
            return []
        }
        var s = MqttSettings(host: broker.host, port: broker.port, prefix: sPrefix, site: SiteName.resolve(sSite),
                             location: sLocation, columns: ValueColumns.names(sColumns),
                             units: sUnits.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() })
        (s.user, s.password, s.caFile) = (sUser, sPassword, sCaFile)
        let settings = s
        let service = WorkerService("mqtt" + (sLocation.isEmpty ? "" : " \(sLocation)"), make: { MqttClient(settings) },
                                    start: { $0.start() }, stop: { $0.stop() }, hasEnded: { $0.hasEnded })
        self.service = service
        return [service]
    }
}
