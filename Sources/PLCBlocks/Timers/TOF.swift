public import PLCCore

/// Off-delay timer: Q follows IN up at once and falls PT after IN falls.
///
/// ET counts from the falling edge of IN and is held at PT until IN rises again.
public final class TOF: TimerPins {
    public static let interface = VarTable("TOF", summary: "Off-delay timer.", [
        .required("IN", .bool, "TRUE sets Q, falling edge starts timing"),
        .input("PT", .time, nil, "delay before Q is reset"),
        .output("Q", .bool, nil, "TRUE while IN, and for PT after IN falls"),
        .output("ET", .time, nil, "elapsed time since IN fell, held at PT"),
    ])

    @exclusivity(unchecked) public var IN = false
    @exclusivity(unchecked) public var PT: Int64 = 0
    @exclusivity(unchecked) public var Q = false
    @exclusivity(unchecked) public var ET: Int64 = 0
    @exclusivity(unchecked) private var timing = false
    @exclusivity(unchecked) private var start: Int64 = 0

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
