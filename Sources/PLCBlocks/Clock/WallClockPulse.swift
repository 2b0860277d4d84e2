public import PLCCore

/// Pulses Q for one scan each time local wall-clock time crosses a multiple of tInterval
/// (T#5m: at 10:00:00, 10:05:00, ...), so logs land on a regular grid whatever time the program started.
///
/// The first scan never pulses (the block cannot know that a boundary was crossed before it ran),
/// nor does the first scan after tInterval changes.
/// A clock set back (NTP, the end of daylight saving time) does not pulse at once, but re-arms at
/// the new time: the next multiple crossed pulses, so rows keep their cadence through the step
/// (the repeated local hour gets its rows). tInterval <= 0 never pulses.
public final class WallClockPulse: FunctionBlock {
    public static let summary = "Pulses on wall-clock multiples of an interval."

    @Input(.time, "grid of the pulses, counted from local midnight 1970-01-01", required: true) public var tInterval: Int64 = 0
    @Output("TRUE for one scan after each multiple of tInterval") public var Q = false
    @Output(.time, "local time of day of the last multiple crossed") public var tSlot: Int64 = 0
    @exclusivity(unchecked) private var lastSlot: Int64?
    @exclusivity(unchecked) private var gridInterval: Int64 = 0

    public init() {}

    public func execute(_ context: ScanContext) {
        Q = false
        guard tInterval > 0 else { return }
        if tInterval != gridInterval {
            // A new interval is a new grid: slot numbers of the old one mean nothing.
            gridInterval = tInterval
            lastSlot = nil
        }
        let slot = context.localTime >= 0 ? context.localTime / tInterval : (context.localTime - tInterval + 1) / tInterval
        if let last = lastSlot, slot > last {
            Q = true
            tSlot = (slot * tInterval) % 86_400_000
        }
        // Always the slot of now: after a backward step the next multiple crossed pulses again.
        lastSlot = slot
    }
}

extension WallClockPulse: ConstantInputChecks {
    /// A constant `tInterval` that is not > 0: the block would never pulse (`LogInterval=T#0s`: no row, ever).
    public static func problem(pin: String, constant value: IECValue) -> String? {
        guard pin.uppercased() == "TINTERVAL", case .time(let ms) = value, ms <= 0 else { return nil }
        return "is T#\(ms)ms; it must be more than T#0s (the block would never pulse)"
    }
}
