public import PLCCore

/// Writes an error log from an ErrorLatch: one ERROR line when an outage starts, one INFO line when
/// it clears (with how long it lasted), never one per scan; plus a start-up and a shutdown line.
///
/// Lines read `2026-11-25 18:41:30,123 - ERROR - Error reading registers 4000-4045 from slave 1: timeout`.
public final class EventLog: StorageBlock {
    public static let interface = VarTable("EventLog", summary: "Writes once-per-outage error log lines.", [
        .input("sFile", .string, .string("rx380_logger.log"), "the log file"),
        .required("xRaised", .bool, "TRUE for one scan when an outage starts (ErrorLatch.xRaised)"),
        .input("xCleared", .bool, nil, "TRUE for one scan when it ends (ErrorLatch.xCleared)"),
        .input("sText", .string, nil, "what went wrong, as it should appear in the log"),
        .input("tOutage", .time, nil, "length of the outage when it clears (ErrorLatch.tOutage)"),
        .input("udiCount", .udint, nil, "outages since start (ErrorLatch.udiCount)"),
        .input("udiLost", .udint, nil, "rows lost so far; the clear line says how many were lost in the outage"),
        .input("sStartText", .string, nil, "logged once on the first scan, when not empty"),
        .input("sStopText", .string, nil, "logged at a clean shutdown, when not empty"),
        .output("udiLines", .udint, nil, "lines logged since start"),
    ])

    @exclusivity(unchecked) public var sFile = "rx380_logger.log"
    @exclusivity(unchecked) public var xRaised = false
    @exclusivity(unchecked) public var xCleared = false
    @exclusivity(unchecked) public var sText = ""
    @exclusivity(unchecked) public var tOutage: Int64 = 0
    @exclusivity(unchecked) public var udiCount: UInt32 = 0
    @exclusivity(unchecked) public var udiLost: UInt32 = 0
    @exclusivity(unchecked) public var sStartText = ""
    @exclusivity(unchecked) public var sStopText = ""
    @exclusivity(unchecked) public var udiLines: UInt32 = 0

    @exclusivity(unchecked) private var started = false
    @exclusivity(unchecked) private var raisedText = ""
    @exclusivity(unchecked) private var lostAtRaise: UInt32 = 0
    @exclusivity(unchecked) private var lastLocalTime: Int64 = 0
    @exclusivity(unchecked) private var pending: [String] = []
    private var writer: StorageWriter?

    public init() {}

    /// Connects the block to the storage writer.
    public func attach(_ writer: StorageWriter) {
        self.writer = writer
    }

    public func execute(_ context: ScanContext) {
        lastLocalTime = context.localTime
        if !started {
            started = true
            if !sStartText.isEmpty { log("INFO", sStartText) }
        }
        if xRaised {
            raisedText = sText
            lostAtRaise = udiLost
            log("ERROR", sText)
        }
        if xCleared {
            let lost = udiLost > lostAtRaise ? "; \(udiLost - lostAtRaise) CSV rows lost" : ""
            log("INFO", "Recovered after \(CivilTime.duration(tOutage)) (outage \(udiCount) since start)\(lost): \(raisedText)")
        }
    }

    public func writeOutputs() {
        guard !pending.isEmpty else { return }
        for line in pending { writer?.append(line: line, to: sFile) }
        pending.removeAll(keepingCapacity: true)
    }

    public func shutdown() {
        writeOutputs()
        guard !sStopText.isEmpty else { return }
        // Written after the queued CSV rows' last attempt, saying how many could not be written.
        writer?.appendClosing(line: "\(CivilTime.logTimestamp(lastLocalTime)) - INFO - \(sStopText)", to: sFile)
        udiLines &+= 1
    }

    private func log(_ level: String, _ text: String) {
        pending.append("\(CivilTime.logTimestamp(lastLocalTime)) - \(level) - \(text)")
        udiLines &+= 1
    }

    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .string(sFile)
            case 1: .bool(xRaised)
            case 2: .bool(xCleared)
            case 3: .string(sText)
            case 4: .time(tOutage)
            case 5: .int(Int64(udiCount))
            case 6: .int(Int64(udiLost))
            case 7: .string(sStartText)
            case 8: .string(sStopText)
            default: .int(Int64(udiLines))
            }
        }
        set {
            switch pin {
            case 0: sFile = newValue.string
            case 1: xRaised = newValue.bool
            case 2: xCleared = newValue.bool
            case 3: sText = newValue.string
            case 4: tOutage = newValue.time
            case 5: udiCount = UInt32(truncatingIfNeeded: newValue.int)
            case 6: udiLost = UInt32(truncatingIfNeeded: newValue.int)
            case 7: sStartText = newValue.string
            case 8: sStopText = newValue.string
            default: udiLines = UInt32(truncatingIfNeeded: newValue.int)
            }
        }
    }
}
