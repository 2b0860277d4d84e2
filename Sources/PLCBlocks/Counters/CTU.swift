public import PLCCore

/// Up counter: each rising edge of CU adds one to CV (never past 65535); RESET sets CV to 0.
///
/// Codesys names the reset input RESET (IEC says R) and types PV and CV as WORD (IEC says INT).
public final class CTU: FunctionBlock {
    public static let summary = "Up counter."
    public static let stMapping = STMapping.library("Standard")

    @Input("rising edge counts up", required: true) public var CU = false
    @Input("TRUE sets CV to 0") public var RESET = false
    @Input(.word, "limit for Q") public var PV: UInt16 = 0
    @Output("TRUE when CV >= PV") public var Q = false
    @Output(.word, "current count") public var CV: UInt16 = 0
    @exclusivity(unchecked) var memory = false

    public init() {}

    public func execute(_ context: ScanContext) {
        if RESET {
            CV = 0
        } else if CU && !memory && CV < UInt16.max {
            CV = CV + 1     // not +=: a modify access through the pin allocates a coroutine frame in debug builds
        }
        Q = CV >= PV
        memory = CU
    }
}


extension CTU: MemoryState {}
