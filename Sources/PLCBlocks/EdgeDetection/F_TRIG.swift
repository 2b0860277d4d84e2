public import PLCCore

/// Falling-edge detector: Q is TRUE for the one call in which CLK goes from TRUE to FALSE.
///
/// Codesys's F_TRIG keeps NOT CLK as its memory, starting FALSE: a CLK that is FALSE on the very
/// first call gives a pulse. This runtime keeps that quirk so ported programs behave the same.
public final class F_TRIG: FunctionBlock {
    public static let interface = VarTable("F_TRIG", summary: "Falling-edge detector.", [
        .required("CLK", .bool, "signal to watch"),
        .output("Q", .bool, nil, "TRUE for one call on a falling edge of CLK (and on a first call with CLK FALSE)"),
    ])

    @exclusivity(unchecked) public var CLK = false
    @exclusivity(unchecked) public var Q = false
    @exclusivity(unchecked) private var memory = false

    public init() {}

    public func execute(_ context: ScanContext) {
        Q = !CLK && !memory
        memory = !CLK
    }

    public subscript(pin pin: Int) -> IECValue {
        get { pin == 0 ? .bool(CLK) : .bool(Q) }
        set { if pin == 0 { CLK = newValue.bool } else { Q = newValue.bool } }
    }
}
