public import PLCCore
import Foundation
public import PLCStorage

/// Publishes live values to an MQTT broker (with Home Assistant discovery) from a worker beside the scan.
///
/// A rising `xExecute` (a poll ended) publishes one state message; the settings are read at the
/// first scan with a non-empty `sBroker` (empty: the sink is off). `xFault` is TRUE while the
/// broker has been unreachable for more than 5 s, for an ErrorLatch and an EventLog.
public final class MqttPublish: IOBlock {
    public static let interface = VarTable("MqttPublish", summary: "Publishes live values over MQTT.", [
        .input("xExecute", .bool, nil, "rising edge publishes the values (wire: a poll ended)"),
        .input("sBroker", .string, nil, "host:port of the broker; empty = off"),
        .input("sPrefix", .string, .string("plc"), "first topic level"),
        .input("sSite", .string, nil, "site topic level; empty = this machine's host name"),
        .input("sLocation", .string, nil, "location topic level"),
        .input("sUser", .string, nil, "user name; ${NAME} reads the environment; empty = none"),
        .input("sPassword", .string, nil, "password; ${NAME} reads the environment"),
        .input("sCaFile", .string, nil, "CA certificate file: non-empty turns TLS on"),
        .input("sColumns", .string, nil, "value names, comma-separated"),
        .input("sUnits", .string, nil, "units, comma-separated, one per column"),
        .input("xValid", .bool, .bool(true), "FALSE publishes every value as null"),
        .input("sStatus", .string, nil, "the quality when xValid is FALSE"),
    ] + ValueColumns.decls + [
        .output("xConnected", .bool, nil, "the broker link is up"),
        .output("xFault", .bool, nil, "TRUE while the broker is unreachable"),
        .output("sError", .string, nil, "why the link is down"),
        .output("udiPublished", .udint, nil, "state messages handed to the broker since start"),
    ])

    @exclusivity(unchecked) public var xExecute = false
    @exclusivity(unchecked) public var settings = [String](repeating: "", count: 9)
    @exclusivity(unchecked) public var xValid = true
    @exclusivity(unchecked) public var sStatus = ""
    @exclusivity(unchecked) public var columns = ValueColumns()
    @exclusivity(unchecked) public var xConnected = false
    @exclusivity(unchecked) public var xFault = false
    @exclusivity(unchecked) public var sError = ""
    @exclusivity(unchecked) public var udiPublished: UInt32 = 0
    @exclusivity(unchecked) private var lastExecute = false
    @exclusivity(unchecked) private var pending: String?
    @exclusivity(unchecked) private var downSince: Int64?
    @exclusivity(unchecked) private var now: Int64 = 0
    private var client: MqttClient?
    private var started = false

    public init() {
        settings[1] = "plc"
    }

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
            let names = ValueColumns.names(settings[7])
            let cells = names.indices.map { columns.text($0, sourceValid: xValid) }
            pending = MqttState.payload(wallClockMs: context.wallClock, quality: xValid ? "good" : (sStatus.isEmpty ? "bad" : sStatus),
                                        columns: names, units: settings[8].split(separator: ",", omittingEmptySubsequences: false)
                                            .map { $0.trimmingCharacters(in: .whitespaces) }, cells: cells)
        }
        lastExecute = xExecute
    }

    public func writeOutputs() {
        if !started {
            started = true
            if let broker = MqttSettings.broker(settings[0]) {
                var s = MqttSettings(host: broker.host, port: broker.port, prefix: settings[1],
                                     site: settings[2].isEmpty ? ProcessInfo.processInfo.hostName : settings[2],
                                     location: settings[3], columns: ValueColumns.names(settings[7]),
                                     units: settings[8].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) })
                (s.user, s.password, s.caFile) = (settings[4], settings[5], settings[6])
                let client = MqttClient(s)
                client.start()
                self.client = client
            } else if !settings[0].isEmpty {
                sError = "MqttBroker '\(settings[0])' is not host:port"
                xFault = true
            }
        }
        if let payload = pending {
            pending = nil
            client?.publish(state: payload)
        }
    }

    public func shutdown() {
        client?.stop()
    }

    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .bool(xExecute)
            case 1...9: .string(settings[pin - 1])
            case 10: .bool(xValid)
            case 11: .string(sStatus)
            case 12, 13, 14: columns.array(pin - 12)
            case 15: .bool(xConnected)
            case 16: .bool(xFault)
            case 17: .string(sError)
            default: .int(Int64(udiPublished))
            }
        }
        set {
            switch pin {
            case 0: xExecute = newValue.bool
            case 1...9: settings[pin - 1] = newValue.string
            case 10: xValid = newValue.bool
            case 11: sStatus = newValue.string
            case 12, 13, 14: columns.setArray(pin - 12, newValue)
            case 15: xConnected = newValue.bool
            case 16: xFault = newValue.bool
            case 17: sError = newValue.string
            default: udiPublished = UInt32(truncatingIfNeeded: newValue.int)
            }
        }
    }

    public func element(_ pin: Int, _ index: Int) -> IECValue {
        (12...14).contains(pin) ? columns.element(pin - 12, index) : self[pin: pin].element(index) ?? .int(0)
    }

    public func setElement(_ pin: Int, _ index: Int, _ value: IECValue) {
        if (12...14).contains(pin) { columns.setElement(pin - 12, index, value) }
    }
}
