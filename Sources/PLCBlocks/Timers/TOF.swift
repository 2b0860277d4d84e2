public import PLCCore

/// Off-delay timer: Q follows IN up at once and falls PT after IN falls.
///
/// ET counts from the falling edge of IN and is held at PT until IN rises again.
public final class TOF: FunctionBlock {
    public static let summary = "Off-delay timer."
    public static let stMapping = STMapping.library("Standard")

    @Input("TRUE sets Q, falling edge starts timing", required: true) public var IN = false
    @Input(.time, "delay before Q is reset") public var PT: Int64 = 0
    @Output("TRUE while IN, and for PT after IN falls") public var Q = false
    @Output(.time, "elapsed time since IN fell, held at PT") public var ET: Int64 = 0
    @exclusivity(unchecked) var timing = false
    @exclusivity(unchecked) var start: Int64 = 0

    public init() {}

    public func execute(_ context: ScanContext) {
        if IN {
            Q = true
            ET = 0
            timing = false
            return
        }
        guard Q else { return }
        if !timing {
            timing = true
            start = context.time
        }
        let elapsed = context.time - start
        if elapsed >= PT {
            Q = false
            ET = max(PT, 0)
            timing = false
        } else {
            ET = elapsed
        }
    }
}


extension TOF: TimerState {
    var flag: Bool {
        get { timing }
        set { timing = newValue }
    }
}

/// Codesys's TOF (Standard) reads the controller's clock: its generated ST tests run in real time.
extension TOF: CodesysClockBlock {}
