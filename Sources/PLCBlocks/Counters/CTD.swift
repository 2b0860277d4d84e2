public import PLCCore

/// Down counter: LOAD sets CV to PV; each rising edge of CD takes one off CV (never below 0).
///
/// Codesys names the load input LOAD (IEC says LD) and types PV and CV as WORD.
public final class CTD: FunctionBlock {
    public static let summary = "Down counter."
    public static let stMapping = STMapping.library("Standard")

    @Input("rising edge counts down", required: true) public var CD = false
    @Input("TRUE sets CV to PV") public var LOAD = false
    @Input(.word, "start value") public var PV: UInt16 = 0
    @Output("TRUE when CV = 0") public var Q = false
    @Output(.word, "current count") public var CV: UInt16 = 0
    @exclusivity(unchecked) var memory = false

    public init() {}

    public func execute(_ context: ScanContext) {
        if LOAD {
            CV = PV
        } else if CD && !memory && CV > 0 {
            CV = CV - 1     // not -=: a modify access through the pin allocates a coroutine frame in debug builds
        }
        Q = CV == 0
        memory = CD
    }
}


extension CTD: MemoryState {}
