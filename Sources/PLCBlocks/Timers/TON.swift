public import PLCCore

/// On-delay timer: Q rises once IN has been TRUE for PT; ET counts up and stops at PT.
///
/// Codesys behaviour: Q is TRUE at exactly ET = PT; PT is compared on every call, so a PT change
/// while timing takes effect at once; PT <= 0 sets Q in the same scan as the rising edge.
public final class TON: FunctionBlock {
    public static let summary = "On-delay timer."
    public static let stMapping = STMapping.library("Standard")

    @Input("rising edge starts timing, FALSE resets", required: true) public var IN = false
    @Input(.time, "delay before Q is set") public var PT: Int64 = 0
    @Output("TRUE once IN has been TRUE for PT") public var Q = false
    @Output(.time, "elapsed time, held at PT") public var ET: Int64 = 0
    @exclusivity(unchecked) var timing = false
    @exclusivity(unchecked) var start: Int64 = 0

    public init() {}

    public func execute(_ context: ScanContext) {
        guard IN else {
            timing = false
            Q = false
            ET = 0
            return
        }
        if !timing {
            timing = true
            start = context.time
        }
        let elapsed = context.time - start
        Q = elapsed >= PT
        ET = Q ? max(PT, 0) : elapsed
    }
}


extension TON: TimerState {
    var flag: Bool {
        get { timing }
        set { timing = newValue }
    }
}

/// Codesys's TON (Standard) reads the controller's clock: its generated ST tests run in real time.
extension TON: CodesysClockBlock {}
