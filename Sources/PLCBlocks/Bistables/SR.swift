public import PLCCore

/// Set-dominant bistable: Q1 := SET1 OR (NOT RESET AND Q1).
public final class SR: FunctionBlock {
    public static let interface = VarTable("SR", summary: "Set-dominant bistable.", [
        .required("SET1", .bool, "sets Q1; wins over RESET"),
        .input("RESET", .bool, nil, "resets Q1"),
        .output("Q1", .bool, nil, "stored state"),
    ])

    @exclusivity(unchecked) public var SET1 = false
    @exclusivity(unchecked) public var RESET = false
    @exclusivity(unchecked) public var Q1 = false

    public init() {}

    public func execute(_ context: ScanContext) {
        Q1 = SET1 || (!RESET && Q1)
    }

    public subscript(pin pin: Int) -> IECValue {
        get { .bool(pin == 0 ? SET1 : pin == 1 ? RESET : Q1) }
        set {
            switch pin {
            case 0: SET1 = newValue.bool
            case 1: RESET = newValue.bool
            default: Q1 = newValue.bool
            }
        }
    }
}
