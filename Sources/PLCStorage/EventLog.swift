public import PLCCore

/// Writes an error log from an ErrorLatch: one ERROR line when an outage starts, one INFO line when
/// it clears (with how long it lasted), never one per scan; plus a start-up and a shutdown line.
///
/// Lines read `2026-11-25 18:41:30,123 - ERROR - Error reading registers 4000-4045 from slave 1: timeout`.
/// With the reader's `xError`/`xDone` wired to `xPollFailed`/`xPollDone`, the clear line counts the
/// failed polls of the outage, from the first of the run that raised it (the debounced ones) to the
/// last. The runtime adds lines of its own through `note(_:_:at:)` (a wall-clock step).
public final class EventLog: StorageBlock {
    public static let summary = "Writes once-per-outage error log lines."

    @Input("the log file") public var sFile = "rx380_logger.log"
    @Input("TRUE for one scan when an outage starts (ErrorLatch.xRaised)", required: true) public var xRaised = false
    @Input("TRUE for one scan when it ends (ErrorLatch.xCleared)") public var xCleared = false
    @Input("what went wrong, as it should appear in the log") public var sText = ""
    @Input(.time, "length of the outage when it clears (ErrorLatch.tOutage)") public var tOutage: Int64 = 0
    @Input("outages since start (ErrorLatch.udiCount)") public var udiCount: UInt32 = 0
    @Input("rows lost so far; the clear line says how many were lost in the outage") public var udiLost: UInt32 = 0
    @Input("rising edge: one failed poll (the reader's xError); the clear line counts them") public var xPollFailed = false
    @Input("rising edge: one good poll (the reader's xDone); outside an outage it ends a run of failed polls") public var xPollDone = false
    @Input("logged once on the first scan, when not empty") public var sStartText = ""
    @Input("logged at a clean shutdown, when not empty") public var sStopText = ""
    @Output("lines logged since start") public var udiLines: UInt32 = 0
    @Output("failed polls of the run or outage under way; the clear line says it, then it restarts at 0") public var udiFailedPolls: UInt32 = 0

    @exclusivity(unchecked) private var started = false
    @exclusivity(unchecked) private var raisedText = ""
    @exclusivity(unchecked) private var lostAtRaise: UInt32 = 0
    @exclusivity(unchecked) private var lastLocalTime: Int64 = 0
    @exclusivity(unchecked) private var pending: [String] = []
    @exclusivity(unchecked) private var previousFailed = false
    @exclusivity(unchecked) private var previousDone = false
    @exclusivity(unchecked) private var active = false
    private var writer: StorageWriter?
    /// Scan thread, before the block writes its lines: the runtime's hook that adds lines other
    /// threads posted (`ErrorLogRoute`); set on one EventLog of the program by its `StorageIO`.
    var beforeWriting: (() -> Void)?

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
        if xPollFailed && !previousFailed && udiFailedPolls < UInt32.max { udiFailedPolls = udiFailedPolls + 1 }
        if xRaised {
            raisedText = sText
            lostAtRaise = udiLost
            active = true
            log("ERROR", sText)
        }
        if xCleared {
            let polls = udiFailedPolls == 0 ? "" : ", \(udiFailedPolls) failed poll\(udiFailedPolls == 1 ? "" : "s")"
            let lost = udiLost > lostAtRaise ? "; \(udiLost - lostAtRaise) CSV rows lost" : ""
            log("INFO", Self.recovered(afterMs: tOutage, outage: udiCount, detail: polls, lost: lost, text: raisedText))
            active = false
            udiFailedPolls = 0
        } else if xPollDone && !previousDone && !active {
            udiFailedPolls = 0
        }
        previousFailed = xPollFailed
        previousDone = xPollDone
    }

    /// The line that ends an outage: `Recovered after 3m 30s (outage 1 since start, 106 failed polls): text`;
    /// `detail` is added inside the parentheses, `lost` after them. The runtime's own sinks write it too.
    public static func recovered(afterMs ms: Int64, outage: UInt32, detail: String = "", lost: String = "", text: String) -> String {
        "Recovered after \(CivilTime.duration(ms)) (outage \(outage) since start\(detail))\(lost): \(text)"
    }

    /// Queues a line the runtime itself has to say (a wall-clock step), stamped `localTime`; call
    /// on the scan thread. Written with the block's next lines.
    public func note(_ level: String, _ text: String, at localTime: Int64) {
        pending.append("\(CivilTime.logTimestamp(localTime)) - \(level) - \(text)")
        udiLines = udiLines &+ 1
    }

    public func writeOutputs() {
        beforeWriting?()
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
        note(level, text, at: lastLocalTime)
    }
}

extension EventLog: EventLogSource {
    public var logFile: String { sFile }
}
