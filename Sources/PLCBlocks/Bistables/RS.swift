public import PLCCore

/// Reset-dominant bistable: Q1 := NOT RESET1 AND (SET OR Q1).
public final class RS: FunctionBlock {
    public static let summary = "Reset-dominant bistable."
    public static let stMapping = STMapping.library("Standard")

    @Input("sets Q1", required: true) public var SET = false
    @Input("resets Q1; wins over SET") public var RESET1 = false
    @Output("stored state") public var Q1 = false

    public init() {}

    public func execute(_ context: ScanContext) {
        Q1 = !RESET1 && (SET || Q1)
    }
}
