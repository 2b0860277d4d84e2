public import PLCCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// Forwards the rows a CSVLogger wrote to an SQL server over ODBC, from a worker thread beside the scan.
///
/// The CSV files are the outbox: rows go out after the server's commit moves a durable cursor, with
/// an insert-if-absent, so nothing is lost or doubled by an outage, a power cut or a kill. The
/// settings are read before the first scan (`makeServices`), with a non-empty `sConnection` (empty: the sink is off).
/// `xFault` is the link's state as a level, for an ErrorLatch and an EventLog.
public final class SqlLogger: IOBlock {
    public static let summary = "Forwards CSV rows to SQL over ODBC."

    @Input("rising edge: a new row is on disk (CSVLogger.xDone), forward it now") public var xExecute = false
    @Input("ODBC connection string; ${NAME} reads the environment; empty = off") public var sConnection = ""
    @Input("the table, created if missing") public var sTable = "energy_readings"
    @Input("the site column; empty = this machine's host name") public var sSite = ""
    @Input("the location column") public var sLocation = ""
    @Input("the CSVLogger's folder") public var sFolder = "csv"
    @Input("the CSVLogger's file prefix") public var sPrefix = "log"
    @Input("the value columns, as the CSVLogger's sColumns") public var sColumns = ""
    @Output("the sink is configured and running") public var xActive = false
    @Output("TRUE while rows cannot reach the server") public var xFault = false
    @Output("the driver's native error code of the fault") public var udiErrorID: UInt32 = 0
    @Output("the fault in words, empty when forwarding works") public var sError = ""
    @Output("rows the server confirmed since start") public var udiRowsSent: UInt32 = 0
    @Output("rows in the CSV files not yet confirmed") public var udiRowsPending: UInt32 = 0
    @exclusivity(unchecked) private var lastExecute = false
    @exclusivity(unchecked) private var nudge = false
    private var service: WorkerService<SqlForwarder>?
    /// The forwarder now (a new one after a restart); nil while the sink is off.
    public var forwarder: SqlForwarder? { service?.worker }

    public init() {}

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
        if nudge {
            nudge = false
            forwarder?.nudge()
        }
    }

}

extension SqlLogger: ServiceOwner {
    /// The forwarder, when `sConnection` is set: one service of the runtime's group, started before
    /// the first scan, stopped after the blocks' shutdown, restarted with back-off if its thread dies.
    public func makeServices() throws(IECError) -> [any RuntimeService] {
        guard service == nil, !sConnection.isEmpty else { return [] }
        let settings = SqlSettings(
            connection: sConnection, table: sTable, site: SiteName.resolve(sSite), location: sLocation, folder: sFolder,
            prefix: sPrefix, valueColumns: sColumns.split(separator: ",").map { $0.trimmingSpaces() })
        let service = WorkerService("sql" + (sLocation.isEmpty ? "" : " \(sLocation)"), make: { SqlForwarder(settings) },
                                    start: { $0.start() }, stop: { $0.stop() }, hasEnded: { $0.hasEnded })
        self.service = service
        xActive = true
        return [service]
    }
}
