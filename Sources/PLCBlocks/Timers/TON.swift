public import PLCCore

/// On-delay timer: Q rises once IN has been TRUE for PT; ET counts up and stops at PT.
///
/// Codesys behaviour: Q is TRUE at exactly ET = PT; PT is compared on every call, so a PT change
/// while timing takes effect at once; PT <= 0 sets Q in the same scan as the rising edge.
public final class TON: TimerPins {
    public static let interface = VarTable("TON", summary: "On-delay timer.", [
        .required("IN", .bool, "rising edge starts timing, FALSE resets"),
        .input("PT", .time, nil, "delay before Q is set"),
        .output("Q", .bool, nil, "TRUE once IN has been TRUE for PT"),
        .output("ET", .time, nil, "elapsed time, held at PT"),
    ])

    @exclusivity(unchecked) public var IN = false
    @exclusivity(unchecked) public var PT: Int64 = 0
    @exclusivity(unchecked) public var Q = false
    @exclusivity(unchecked) public var ET: Int64 = 0
    @exclusivity(unchecked) private var timing = false
    @exclusivity(unchecked) private var start: Int64 = 0

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
