public import PLCCore

/// Falling-edge detector: Q is TRUE for the one call in which CLK goes from TRUE to FALSE.
///
/// Codesys's F_TRIG keeps NOT CLK as its memory, starting FALSE: a CLK that is FALSE on the very
/// first call gives a pulse. This runtime keeps that quirk so ported programs behave the same.
public final class F_TRIG: FunctionBlock {
    public static let summary = "Falling-edge detector."
    public static let stMapping = STMapping.library("Standard")

    @Input("signal to watch", required: true) public var CLK = false
    @Output("TRUE for one call on a falling edge of CLK (and on a first call with CLK FALSE)") public var Q = false
    @exclusivity(unchecked) var memory = false

    public init() {}

    public func execute(_ context: ScanContext) {
        Q = !CLK && !memory
        memory = !CLK
    }
}


extension F_TRIG: MemoryState {}
