public import PLCCore

/// Appends one CSV row per rising `xExecute` to `<sFolder>/<sPrefix>_YYYY-MM-DD.csv` (a new file
/// each local day, header written once), on the storage writer's thread.
///
/// The row holds the scan's local time and one cell per name in `sColumns`, each with its
/// decimals; a value that is not good (`xValid` FALSE, its `axValid` FALSE, or not finite) is an
/// empty cell, so the time grid stays regular and gaps stay visible. Execute behaviour: `xBusy`
/// until the row is on disk (`xDone`), or `xError` at once when the disk is in fault (the row
/// stays queued and is written when the disk is back). `xFault` is the disk's state as a level,
/// for an ErrorLatch; `udiRowsLost` counts rows dropped because the queue overflowed.
public final class CSVLogger: StorageBlock {
    public static let summary = "Appends durable CSV rows."

    @Input("rising edge appends one row", required: true) public var xExecute = false
    @Input("folder of the CSV files") public var sFolder = "csv"
    @Input("file name before _YYYY-MM-DD.csv") public var sPrefix = "log"
    @Input("column names after timestamp, comma-separated") public var sColumns = ""
    @Input("FALSE empties every cell (the data source is not good)") public var xValid = true
    @ArrayPin(.input, count: ValueColumns.capacity, "the values, one per column") public var alrValues: PinArray<Double>
    @ArrayPin(.input, .usint, count: ValueColumns.capacity, "digits after the point, per column (the register's resolution)")
    public var auiDecimals: PinArray<UInt8>
    @ArrayPin(.input, count: ValueColumns.capacity, "FALSE empties that column's cell", initial: true)
    public var axValid: PinArray<Bool>
    /// The three column arrays as one view.
    public var columns: ValueColumns { ValueColumns(values: alrValues, decimals: auiDecimals, valid: axValid) }
    @Output("the row is on disk") public var xDone = false
    @Output("the row is being written") public var xBusy = false
    @Output("the row could not be written yet; it waits in the queue") public var xError = false
    @Output("errno of the disk fault (28 full, 30 read-only, 2 missing)") public var udiErrorID: UInt32 = 0
    @Output("the disk fault in words, empty when writing works") public var sError = ""
    @Output("TRUE while rows cannot reach the disk") public var xFault = false
    @Output("rows written since start") public var udiRowsWritten: UInt32 = 0
    @Output("rows waiting for the disk") public var udiRowsQueued: UInt32 = 0
    @Output("rows dropped because the queue was full") public var udiRowsLost: UInt32 = 0

    @exclusivity(unchecked) private var handshake = ExecuteHandshake()
    @exclusivity(unchecked) private var pending: (cells: String, local: Int64, monotonic: Int64, header: String)?
    @exclusivity(unchecked) private var ticket: UInt64?
    /// The status's `version` at the last input image (max: never read).
    @exclusivity(unchecked) private var seenVersion = UInt64.max
    @exclusivity(unchecked) private var arrived: StorageError??
    private let status = CSVStatus()
    private var writer: StorageWriter?

    public init() {}

    /// Connects the block to the storage writer.
    public func attach(_ writer: StorageWriter) {
        self.writer = writer
    }

    public func readInputs() {
        let version = status.version
        guard version != seenVersion else { return }
        seenVersion = version
        if let t = ticket, let outcome = status.take(t) {
            arrived = .some(outcome)
            ticket = nil
        }
        let counts = status.counts
        udiRowsWritten = UInt32(truncatingIfNeeded: counts.written)
        udiRowsQueued = UInt32(truncatingIfNeeded: counts.queued)
        udiRowsLost = UInt32(truncatingIfNeeded: counts.lost)
        // The fault fields change with the disk's state; between changes they keep the last job's result.
        let fault = status.fault
        if let fault {
            if !xFault || udiErrorID != fault.code {
                udiErrorID = fault.code
                sError = fault.description
            }
        } else if xFault {
            udiErrorID = 0
            sError = ""
        }
        xFault = fault != nil
    }

    public func execute(_ context: ScanContext) {
        handshake.clearShownResult(execute: xExecute)
        if let outcome = arrived {
            arrived = nil
            handshake.finish(failed: outcome != nil)
            if let error = outcome {
                udiErrorID = error.code
                sError = error.description
            } else if udiErrorID != 0 {
                udiErrorID = 0
                sError = ""
            }
        }
        if handshake.startsJob(execute: xExecute) {
            pending = row(at: context.localTime, monotonic: context.time)
        }
        xDone = handshake.done
        xBusy = handshake.busy
        xError = handshake.error
    }

    public func writeOutputs() {
        guard let row = pending else { return }
        pending = nil
        if let writer {
            // The writer dates the row, and holds it while the wall clock is clearly wrong.
            ticket = writer.append(cells: row.cells, local: row.local, monotonic: row.monotonic, prefix: sPrefix,
                                   folder: sFolder, header: row.header, status: status)
        } else {
            arrived = .some(StorageError(path: sFolder, code: 19, reason: "no storage writer is attached to this block"))
        }
    }

    /// The row for local time `localMs`: its cells after the timestamp, its times and the file's header.
    private func row(at localMs: Int64, monotonic: Int64) -> (cells: String, local: Int64, monotonic: Int64, header: String) {
        let names = ValueColumns.names(sColumns)
        var cells: [String] = []
        for i in names.indices { cells.append(columns.text(i, sourceValid: xValid) ?? "") }
        return (cells.joined(separator: ","), localMs, monotonic, (["timestamp"] + names).joined(separator: ","))
    }
}

extension CSVLogger: EnergyRowSource {
    public var rowFiles: RowFiles { RowFiles(folder: sFolder, prefix: sPrefix, columns: ValueColumns.names(sColumns)) }
    public var rowsWritten: UInt32 { udiRowsWritten }
}
