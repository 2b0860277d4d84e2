public import PLCCore

/// Rising-edge detector: Q is TRUE for the one call in which CLK goes from FALSE to TRUE.
///
/// Its memory starts FALSE, so a CLK that is TRUE on the first call gives a pulse (Codesys).
public final class R_TRIG: FunctionBlock {
    public static let interface = VarTable("R_TRIG", summary: "Rising-edge detector.", [
        .required("CLK", .bool, "signal to watch"),
        .output("Q", .bool, nil, "TRUE for one call on a rising edge of CLK"),
    ])

    @exclusivity(unchecked) public var CLK = false
    @exclusivity(unchecked) public var Q = false
    @exclusivity(unchecked) private var memory = false

    public init() {}

    public func execute(_ context: ScanContext) {
        Q = CLK && !memory
        memory = CLK
    }

    public subscript(pin pin: Int) -> IECValue {
        get { pin == 0 ? .bool(CLK) : .bool(Q) }
        set { if pin == 0 { CLK = newValue.bool } else { Q = newValue.bool } }
    }
}
