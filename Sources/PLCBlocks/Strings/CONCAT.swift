public import PLCCore

/// Joins two strings, as Codesys's CONCAT function box (e.g. a location's folder: CsvFolder + '/Office').
///
/// The result only changes when an input does, so a steady-state scan allocates nothing.
public final class CONCAT: FunctionBlock {
    public static let summary = "Joins two strings."
    public static let stMapping = STMapping.function("Standard")

    @Input("first part") public var STR1 = ""
    @Input("second part") public var STR2 = ""
    @Output("STR1 followed by STR2") public var OUT = ""
    @exclusivity(unchecked) private var joined: (String, String)?

    public init() {}

    public func execute(_ context: ScanContext) {
        if let (a, b) = joined, a == STR1, b == STR2 { return }
        OUT = STR1 + STR2
        joined = (STR1, STR2)
    }
}
