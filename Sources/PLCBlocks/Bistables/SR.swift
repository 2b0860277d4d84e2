public import PLCCore

/// Set-dominant bistable: Q1 := SET1 OR (NOT RESET AND Q1).
public final class SR: FunctionBlock {
    public static let summary = "Set-dominant bistable."
    public static let stMapping = STMapping.library("Standard")

    @Input("sets Q1; wins over RESET", required: true) public var SET1 = false
    @Input("resets Q1") public var RESET = false
    @Output("stored state") public var Q1 = false

    public init() {}

    public func execute(_ context: ScanContext) {
        Q1 = SET1 || (!RESET && Q1)
    }
}
