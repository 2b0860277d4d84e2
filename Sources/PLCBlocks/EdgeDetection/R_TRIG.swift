public import PLCCore

/// Rising-edge detector: Q is TRUE for the one call in which CLK goes from FALSE to TRUE.
///
/// Its memory starts FALSE, so a CLK that is TRUE on the first call gives a pulse (Codesys).
public final class R_TRIG: FunctionBlock {
    public static let summary = "Rising-edge detector."
    public static let stMapping = STMapping.library("Standard")

    @Input("signal to watch", required: true) public var CLK = false
    @Output("TRUE for one call on a rising edge of CLK") public var Q = false
    @exclusivity(unchecked) var memory = false

    public init() {}

    public func execute(_ context: ScanContext) {
        Q = CLK && !memory
        memory = CLK
    }
}


extension R_TRIG: MemoryState {}
