public import PLCCore

/// Keeps a value between two limits: lrOut is lrIn limited to lrMin..lrMax, and xClamped says
/// that a limit applied (a setpoint or a scaled reading out of its range).
///
/// lrMin > lrMax is a configuration error: lrOut is lrMin and xError is TRUE.
public final class Clamp: FunctionBlock {
    public static let summary = "Limits a value to a range and says when a limit applied."

    @Input("the value to limit", required: true) public var lrIn = 0.0
    @Input("the lowest value lrOut takes") public var lrMin = 0.0
    @Input("the highest value lrOut takes") public var lrMax = 0.0
    @Output("lrIn limited to lrMin..lrMax") public var lrOut = 0.0
    @Output("TRUE when lrIn lay outside lrMin..lrMax") public var xClamped = false
    @Output("TRUE when lrMin > lrMax (lrOut is then lrMin)") public var xError = false

    public init() {}

    public func execute(_ context: ScanContext) {
        xError = lrMin > lrMax
        if xError || lrIn < lrMin {
            lrOut = lrMin
        } else if lrIn > lrMax {
            lrOut = lrMax
        } else {
            lrOut = lrIn
        }
        xClamped = !xError && (lrIn < lrMin || lrIn > lrMax)
    }
}
