public import PLCCore

/// Pulse timer: a rising edge on IN gives one pulse of length PT on Q; edges during a pulse are ignored.
///
/// ET counts during the pulse, is held at PT while IN stays TRUE after it, and returns to 0 when
/// both IN and Q are FALSE.
public final class TP: FunctionBlock {
    public static let summary = "Pulse timer."
    public static let stMapping = STMapping.library("Standard")

    @Input("rising edge starts a pulse", required: true) public var IN = false
    @Input(.time, "pulse length") public var PT: Int64 = 0
    @Output("the pulse") public var Q = false
    @Output(.time, "elapsed pulse time, held at PT") public var ET: Int64 = 0
    @exclusivity(unchecked) var previousIN = false
    @exclusivity(unchecked) var start: Int64 = 0

    public init() {}

    public func execute(_ context: ScanContext) {
        if IN && !previousIN && !Q {
            Q = true
            start = context.time
        }
        previousIN = IN
        if Q {
            let elapsed = context.time - start
            if elapsed >= PT {
                Q = false
                ET = max(PT, 0)
            } else {
                ET = elapsed
            }
        }
        if !Q && !IN { ET = 0 }
    }
}


extension TP: TimerState {
    var flag: Bool {
        get { previousIN }
        set { previousIN = newValue }
    }
}

/// Codesys's TP (Standard) reads the controller's clock: its generated ST tests run in real time.
extension TP: CodesysClockBlock {}
