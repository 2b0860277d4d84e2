public import PLCCore

/// Reset-dominant bistable: Q1 := NOT RESET1 AND (SET OR Q1).
public final class RS: FunctionBlock {
    public static let interface = VarTable("RS", summary: "Reset-dominant bistable.", [
        .required("SET", .bool, "sets Q1"),
        .input("RESET1", .bool, nil, "resets Q1; wins over SET"),
        .output("Q1", .bool, nil, "stored state"),
    ])

    @exclusivity(unchecked) public var SET = false
    @exclusivity(unchecked) public var RESET1 = false
    @exclusivity(unchecked) public var Q1 = false

    public init() {}

    public func execute(_ context: ScanContext) {
        Q1 = !RESET1 && (SET || Q1)
    }

    public subscript(pin pin: Int) -> IECValue {
        get { .bool(pin == 0 ? SET : pin == 1 ? RESET1 : Q1) }
        set {
            switch pin {
            case 0: SET = newValue.bool
            case 1: RESET1 = newValue.bool
            default: Q1 = newValue.bool
            }
        }
    }
}
