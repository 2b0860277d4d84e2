public import PLCCore

/// Down counter: LOAD sets CV to PV; each rising edge of CD takes one off CV (never below 0).
///
/// Codesys names the load input LOAD (IEC says LD) and types PV and CV as WORD.
public final class CTD: FunctionBlock {
    public static let interface = VarTable("CTD", summary: "Down counter.", [
        .required("CD", .bool, "rising edge counts down"),
        .input("LOAD", .bool, nil, "TRUE sets CV to PV"),
        .input("PV", .word, nil, "start value"),
        .output("Q", .bool, nil, "TRUE when CV = 0"),
        .output("CV", .word, nil, "current count"),
    ])

    @exclusivity(unchecked) public var CD = false
    @exclusivity(unchecked) public var LOAD = false
    @exclusivity(unchecked) public var PV: UInt16 = 0
    @exclusivity(unchecked) public var Q = false
    @exclusivity(unchecked) public var CV: UInt16 = 0
    @exclusivity(unchecked) private var memory = false

    public init() {}

    public func execute(_ context: ScanContext) {
        if LOAD {
            CV = PV
        } else if CD && !memory && CV > 0 {
            CV -= 1
        }
        Q = CV == 0
        memory = CD
    }

    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .bool(CD)
            case 1: .bool(LOAD)
            case 2: .int(Int64(PV))
            case 3: .bool(Q)
            default: .int(Int64(CV))
            }
        }
        set {
            switch pin {
            case 0: CD = newValue.bool
            case 1: LOAD = newValue.bool
            case 2: PV = UInt16(truncatingIfNeeded: newValue.int)
            case 3: Q = newValue.bool
            default: CV = UInt16(truncatingIfNeeded: newValue.int)
            }
        }
    }
}
