public import PLCCore
import Foundation

/// Forwards the rows a CSVLogger wrote to an SQL server over ODBC, from a worker thread beside the scan.
///
/// The CSV files are the outbox: rows go out after the server's commit moves a durable cursor, with
/// an insert-if-absent, so nothing is lost or doubled by an outage, a power cut or a kill. The
/// settings are read at the first scan with a non-empty `sConnection` (empty: the sink is off).
/// `xFault` is the link's state as a level, for an ErrorLatch and an EventLog.
public final class SqlLogger: IOBlock {
    public static let interface = VarTable("SqlLogger", summary: "Forwards CSV rows to SQL over ODBC.", [
        .input("xExecute", .bool, nil, "rising edge: a new row is on disk (CSVLogger.xDone), forward it now"),
        .input("sConnection", .string, nil, "ODBC connection string; ${NAME} reads the environment; empty = off"),
        .input("sTable", .string, .string("energy_readings"), "the table, created if missing"),
        .input("sSite", .string, nil, "the site column; empty = this machine's host name"),
        .input("sLocation", .string, nil, "the location column"),
        .input("sFolder", .string, .string("csv"), "the CSVLogger's folder"),
        .input("sPrefix", .string, .string("log"), "the CSVLogger's file prefix"),
        .input("sColumns", .string, nil, "the value columns, as the CSVLogger's sColumns"),
        .output("xActive", .bool, nil, "the sink is configured and running"),
        .output("xFault", .bool, nil, "TRUE while rows cannot reach the server"),
        .output("udiErrorID", .udint, nil, "the driver's native error code of the fault"),
        .output("sError", .string, nil, "the fault in words, empty when forwarding works"),
        .output("udiRowsSent", .udint, nil, "rows the server confirmed since start"),
        .output("udiRowsPending", .udint, nil, "rows in the CSV files not yet confirmed"),
    ])

    @exclusivity(unchecked) public var xExecute = false
    @exclusivity(unchecked) public var settings = [String](repeating: "", count: 7)
    @exclusivity(unchecked) public var xActive = false
    @exclusivity(unchecked) public var xFault = false
    @exclusivity(unchecked) public var udiErrorID: UInt32 = 0
    @exclusivity(unchecked) public var sError = ""
    @exclusivity(unchecked) public var udiRowsSent: UInt32 = 0
    @exclusivity(unchecked) public var udiRowsPending: UInt32 = 0
    @exclusivity(unchecked) private var lastExecute = false
    @exclusivity(unchecked) private var nudge = false
    private var forwarder: SqlForwarder?
    private var started = false

    public init() {
        settings[1] = "energy_readings"
        settings[4] = "csv"
        settings[5] = "log"
    }

    public func readInputs() {
        guard let forwarder else { return }
        let status = forwarder.status
        xFault = status.fault != nil
        udiErrorID = UInt32(bitPattern: status.fault?.nativeCode ?? 0)
        if sError != (status.fault?.description ?? "") { sError = status.fault?.description ?? "" }
        udiRowsSent = UInt32(truncatingIfNeeded: status.rowsSent)
        udiRowsPending = UInt32(truncatingIfNeeded: status.rowsPending)
    }

    public func execute(_ context: ScanContext) {
        if xExecute && !lastExecute { nudge = true }
        lastExecute = xExecute
    }

    public func writeOutputs() {
        if !started {
            started = true
            if !settings[0].isEmpty {
                let site = settings[2].isEmpty ? ProcessInfo.processInfo.hostName : settings[2]
                let forwarder = SqlForwarder(SqlSettings(
                    connection: settings[0], table: settings[1], site: site, location: settings[3], folder: settings[4],
                    prefix: settings[5], valueColumns: settings[6].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }))
                forwarder.start()
                self.forwarder = forwarder
                xActive = true
            }
        }
        if nudge {
            nudge = false
            forwarder?.nudge()
        }
    }

    public func shutdown() {
        forwarder?.stop()
    }

    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .bool(xExecute)
            case 1...7: .string(settings[pin - 1])
            case 8: .bool(xActive)
            case 9: .bool(xFault)
            case 10: .int(Int64(udiErrorID))
            case 11: .string(sError)
            case 12: .int(Int64(udiRowsSent))
            default: .int(Int64(udiRowsPending))
            }
        }
        set {
            switch pin {
            case 0: xExecute = newValue.bool
            case 1...7: settings[pin - 1] = newValue.string
            case 8: xActive = newValue.bool
            case 9: xFault = newValue.bool
            case 10: udiErrorID = UInt32(truncatingIfNeeded: newValue.int)
            case 11: sError = newValue.string
            case 12: udiRowsSent = UInt32(truncatingIfNeeded: newValue.int)
            default: udiRowsPending = UInt32(truncatingIfNeeded: newValue.int)
            }
        }
    }
}
