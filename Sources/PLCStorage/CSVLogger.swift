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
    public static let interface = VarTable("CSVLogger", summary: "Appends durable CSV rows.", [
        .required("xExecute", .bool, "rising edge appends one row"),
        .input("sFolder", .string, .string("csv"), "folder of the CSV files"),
        .input("sPrefix", .string, .string("log"), "file name before _YYYY-MM-DD.csv"),
        .input("sColumns", .string, nil, "column names after timestamp, comma-separated"),
        .input("xValid", .bool, .bool(true), "FALSE empties every cell (the data source is not good)"),
    ] + ValueColumns.decls + [
        .output("xDone", .bool, nil, "the row is on disk"),
        .output("xBusy", .bool, nil, "the row is being written"),
        .output("xError", .bool, nil, "the row could not be written yet; it waits in the queue"),
        .output("udiErrorID", .udint, nil, "errno of the disk fault (28 full, 30 read-only, 2 missing)"),
        .output("sError", .string, nil, "the disk fault in words, empty when writing works"),
        .output("xFault", .bool, nil, "TRUE while rows cannot reach the disk"),
        .output("udiRowsWritten", .udint, nil, "rows written since start"),
        .output("udiRowsQueued", .udint, nil, "rows waiting for the disk"),
        .output("udiRowsLost", .udint, nil, "rows dropped because the queue was full"),
    ])

    @exclusivity(unchecked) public var xExecute = false
    @exclusivity(unchecked) public var sFolder = "csv"
    @exclusivity(unchecked) public var sPrefix = "log"
    @exclusivity(unchecked) public var sColumns = ""
    @exclusivity(unchecked) public var xValid = true
    @exclusivity(unchecked) public var columns = ValueColumns()
    @exclusivity(unchecked) public var xDone = false
    @exclusivity(unchecked) public var xBusy = false
    @exclusivity(unchecked) public var xError = false
    @exclusivity(unchecked) public var udiErrorID: UInt32 = 0
    @exclusivity(unchecked) public var sError = ""
    @exclusivity(unchecked) public var xFault = false
    @exclusivity(unchecked) public var udiRowsWritten: UInt32 = 0
    @exclusivity(unchecked) public var udiRowsQueued: UInt32 = 0
    @exclusivity(unchecked) public var udiRowsLost: UInt32 = 0

    @exclusivity(unchecked) private var handshake = ExecuteHandshake()
    @exclusivity(unchecked) private var pending: (cells: String, local: Int64, monotonic: Int64, header: String)?
    @exclusivity(unchecked) private var ticket: UInt64?
    @exclusivity(unchecked) private var arrived: StorageError??
    private let status = CSVStatus()
    private var writer: StorageWriter?

    public init() {}

    /// Connects the block to the storage writer.
    public func attach(_ writer: StorageWriter) {
        self.writer = writer
    }

    public func readInputs() {
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

    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .bool(xExecute)
            case 1: .string(sFolder)
            case 2: .string(sPrefix)
            case 3: .string(sColumns)
            case 4: .bool(xValid)
            case 5, 6, 7: columns.array(pin - 5)
            case 8: .bool(xDone)
            case 9: .bool(xBusy)
            case 10: .bool(xError)
            case 11: .int(Int64(udiErrorID))
            case 12: .string(sError)
            case 13: .bool(xFault)
            case 14: .int(Int64(udiRowsWritten))
            case 15: .int(Int64(udiRowsQueued))
            default: .int(Int64(udiRowsLost))
            }
        }
        set {
            switch pin {
            case 0: xExecute = newValue.bool
            case 1: sFolder = newValue.string
            case 2: sPrefix = newValue.string
            case 3: sColumns = newValue.string
            case 4: xValid = newValue.bool
            case 5, 6, 7: columns.setArray(pin - 5, newValue)
            case 8: xDone = newValue.bool
            case 9: xBusy = newValue.bool
            case 10: xError = newValue.bool
            case 11: udiErrorID = UInt32(truncatingIfNeeded: newValue.int)
            case 12: sError = newValue.string
            case 13: xFault = newValue.bool
            case 14: udiRowsWritten = UInt32(truncatingIfNeeded: newValue.int)
            case 15: udiRowsQueued = UInt32(truncatingIfNeeded: newValue.int)
            default: udiRowsLost = UInt32(truncatingIfNeeded: newValue.int)
            }
        }
    }

    public func element(_ pin: Int, _ index: Int) -> IECValue {
        (5...7).contains(pin) ? columns.element(pin - 5, index) : self[pin: pin].element(index) ?? .int(0)
    }

    public func setElement(_ pin: Int, _ index: Int, _ value: IECValue) {
        if (5...7).contains(pin) { columns.setElement(pin - 5, index, value) }
    }
}
