public import PLCCore

/// A two-point switch: xOut rises when lrIn reaches lrHigh and falls only when lrIn drops to lrLow.
///
/// Between the two limits xOut keeps its state, so a value that hovers around one limit (a load
/// near an alarm level, a noisy power reading) does not make it chatter. lrLow > lrHigh is a
/// configuration error: xOut stays FALSE and xError is TRUE.
public final class Hysteresis: FunctionBlock {
    public static let summary = "Two-point switch with separate on and off levels."

    @Input("the value watched", required: true) public var lrIn = 0.0
    @Input("xOut rises when lrIn >= lrHigh") public var lrHigh = 0.0
    @Input("xOut falls when lrIn <= lrLow") public var lrLow = 0.0
    @Output("TRUE from reaching lrHigh until dropping to lrLow") public var xOut = false
    @Output("TRUE when lrLow > lrHigh (xOut then stays FALSE)") public var xError = false

    public init() {}

    public func execute(_ context: ScanContext) {
        xError = lrLow > lrHigh
        if xError {
            xOut = false
        } else if lrIn >= lrHigh {
            xOut = true
        } else if lrIn <= lrLow {
            xOut = false
        }
    }
}
