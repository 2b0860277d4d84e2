public import PLCCore

/// Up counter: each rising edge of CU adds one to CV (never past 65535); RESET sets CV to 0.
///
/// Codesys names the reset input RESET (IEC says R) and types PV and CV as WORD (IEC says INT).
public final class CTU: FunctionBlock {
    public static let interface = VarTable("CTU", summary: "Up counter.", [
        .required("CU", .bool, "rising edge counts up"),
        .input("RESET", .bool, nil, "TRUE sets CV to 0"),
        .input("PV", .word, nil, "limit for Q"),
        .output("Q", .bool, nil, "TRUE when CV >= PV"),
        .output("CV", .word, nil, "current count"),
    ])

    @exclusivity(unchecked) public var CU = false
    @exclusivity(unchecked) public var RESET = false
    @exclusivity(unchecked) public var PV: UInt16 = 0
    @exclusivity(unchecked) public var Q = false
    @exclusivity(unchecked) public var CV: UInt16 = 0
    @exclusivity(unchecked) private var memory = false

    public init() {}

    public func execute(_ context: ScanContext) {
        if RESET {
            CV = 0
        } else if CU && !memory && CV < UInt16.max {
            CV += 1
        }
        Q = CV >= PV
        memory = CU
    }

    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .bool(CU)
            case 1: .bool(RESET)
            case 2: .int(Int64(PV))
            case 3: .bool(Q)
            default: .int(Int64(CV))
            }
        }
        set {
            switch pin {
            case 0: CU = newValue.bool
            case 1: RESET = newValue.bool
            case 2: PV = UInt16(truncatingIfNeeded: newValue.int)
            case 3: Q = newValue.bool
            default: CV = UInt16(truncatingIfNeeded: newValue.int)
            }
        }
    }
}
