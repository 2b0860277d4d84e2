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
    public static let interface = VarTable("ErrorLatch", summary: "Latches faults for once-per-outage logging.", [
        .required("xError", .bool, "TRUE while the fault is present"),
        .input("udiErrorCode", .udint, nil, "code of the present fault"),
        .input("xReset", .bool, nil, "rising edge clears the latch"),
        .output("xLatched", .bool, nil, "TRUE from the first outage until a reset"),
        .output("udiLatchedCode", .udint, nil, "error code when the latch was set"),
        .output("tLatchedAt", .time, nil, "scan time when the latch was set"),
        .output("xActive", .bool, nil, "TRUE while an outage lasts"),
        .output("xRaised", .bool, nil, "TRUE for one call when an outage starts"),
        .output("xCleared", .bool, nil, "TRUE for one call when an outage ends"),
        .output("tOutage", .time, nil, "length of the current or last outage"),
        .output("udiCount", .udint, nil, "outages since start"),
    ])

    @exclusivity(unchecked) public var xError = false
    @exclusivity(unchecked) public var udiErrorCode: UInt32 = 0
    @exclusivity(unchecked) public var xReset = false
    @exclusivity(unchecked) public var xLatched = false
    @exclusivity(unchecked) public var udiLatchedCode: UInt32 = 0
    @exclusivity(unchecked) public var tLatchedAt: Int64 = 0
    @exclusivity(unchecked) public var xActive = false
    @exclusivity(unchecked) public var xRaised = false
    @exclusivity(unchecked) public var xCleared = false
    @exclusivity(unchecked) public var tOutage: Int64 = 0
    @exclusivity(unchecked) public var udiCount: UInt32 = 0
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

    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .bool(xError)
            case 1: .int(Int64(udiErrorCode))
            case 2: .bool(xReset)
            case 3: .bool(xLatched)
            case 4: .int(Int64(udiLatchedCode))
            case 5: .time(tLatchedAt)
            case 6: .bool(xActive)
            case 7: .bool(xRaised)
            case 8: .bool(xCleared)
            case 9: .time(tOutage)
            default: .int(Int64(udiCount))
            }
        }
        set {
            switch pin {
            case 0: xError = newValue.bool
            case 1: udiErrorCode = UInt32(truncatingIfNeeded: newValue.int)
            case 2: xReset = newValue.bool
            case 3: xLatched = newValue.bool
            case 4: udiLatchedCode = UInt32(truncatingIfNeeded: newValue.int)
            case 5: tLatchedAt = newValue.time
            case 6: xActive = newValue.bool
            case 7: xRaised = newValue.bool
            case 8: xCleared = newValue.bool
            case 9: tOutage = newValue.time
            default: udiCount = UInt32(truncatingIfNeeded: newValue.int)
            }
        }
    }
}
