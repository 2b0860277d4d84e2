public import PLCCore

/// Latches a fault with its code and time, counts outages, and pulses once when one starts and once when it clears.
///
/// A rising `xError` starts an outage: `xRaised` is TRUE for that one call, `xActive` stays TRUE
/// while the error lasts, and `udiCount` goes up by one. The first outage since the last reset is
/// latched (`xLatched`, `udiLatchedCode`, `tLatchedAt`) until a rising `xReset`. A falling `xError`
/// gives `xCleared` for one call, and `tOutage` then holds how long the outage lasted (while
/// active it shows the time so far). A reset while the error persists clears the latch; it
/// latches again on the next rising edge. The count is a diagnostic total and is never reset.
public final class ErrorLatch: FunctionBlock {
    public static let summary = "Latches faults for once-per-outage logging."

    @Input("TRUE while the fault is present", required: true) public var xError = false
    @Input("code of the present fault") public var udiErrorCode: UInt32 = 0
    @Input("rising edge clears the latch") public var xReset = false
    @Output("TRUE from the first outage until a reset") public var xLatched = false
    @Output("error code when the latch was set") public var udiLatchedCode: UInt32 = 0
    @Output(.time, "scan time when the latch was set") public var tLatchedAt: Int64 = 0
    @Output("TRUE while an outage lasts") public var xActive = false
    @Output("TRUE for one call when an outage starts") public var xRaised = false
    @Output("TRUE for one call when an outage ends") public var xCleared = false
    @Output(.time, "length of the current or last outage") public var tOutage: Int64 = 0
    @Output("outages since start") public var udiCount: UInt32 = 0
    @exclusivity(unchecked) private var previousError = false
    @exclusivity(unchecked) private var previousReset = false
    @exclusivity(unchecked) private var outageStart: Int64 = 0

    public init() {}

    public func execute(_ context: ScanContext) {
        let now = context.time
        xRaised = false
        xCleared = false
        if xReset && !previousReset {
            xLatched = false
            udiLatchedCode = 0
            tLatchedAt = 0
        }
        if xError && !previousError {
            xRaised = true
            xActive = true
            outageStart = now
            udiCount = udiCount == UInt32.max ? udiCount : udiCount + 1
            if !xLatched {
                xLatched = true
                udiLatchedCode = udiErrorCode
                tLatchedAt = now
            }
        } else if !xError && previousError {
            xCleared = true
            xActive = false
            tOutage = now - outageStart
        }
        if xActive { tOutage = now - outageStart }
        previousError = xError
        previousReset = xReset
    }
}

extension ErrorLatch: StatefulBlock {
    public static let hiddenState: [VarDecl] = [
        VarDecl(.local, "previousError", .bool), VarDecl(.local, "previousReset", .bool),
        VarDecl(.local, "outageElapsed", .time), VarDecl(.local, "latchedAgo", .time),
    ]

    public func saveState(now: Int64, into words: UnsafeMutablePointer<Int64>) {
        words[0] = Self.word(previousError)
        words[1] = Self.word(previousReset)
        words[2] = now - outageStart
        words[3] = now - tLatchedAt
    }

    /// The first-error time is a scan time: it is moved with the restart so that "how long ago"
    /// stays true (it may be negative: before this run started).
    public func restoreState(now: Int64, from words: UnsafePointer<Int64>) {
        previousError = words[0] != 0
        previousReset = words[1] != 0
        outageStart = now - words[2]
        if xLatched { tLatchedAt = now - words[3] }
    }
}
