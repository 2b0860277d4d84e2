public import PLCCore

/// Joins two strings, as Codesys's CONCAT function box (e.g. a location's folder: CsvFolder + '/Office').
///
/// The result only changes when an input does, so a steady-state scan allocates nothing.
public final class CONCAT: FunctionBlock {
    public static let interface = VarTable("CONCAT", summary: "Joins two strings.", [
        .input("STR1", .string, nil, "first part"),
        .input("STR2", .string, nil, "second part"),
        .output("OUT", .string, nil, "STR1 followed by STR2"),
    ])

    @exclusivity(unchecked) public var STR1 = ""
    @exclusivity(unchecked) public var STR2 = ""
    @exclusivity(unchecked) public var OUT = ""
    @exclusivity(unchecked) private var joined: (String, String)?

    public init() {}

    public func execute(_ context: ScanContext) {
        if let (a, b) = joined, a == STR1, b == STR2 { return }
        OUT = STR1 + STR2
        joined = (STR1, STR2)
    }

    public subscript(pin pin: Int) -> IECValue {
        get { .string(pin == 0 ? STR1 : pin == 1 ? STR2 : OUT) }
        set {
            switch pin {
            case 0: STR1 = newValue.string
            case 1: STR2 = newValue.string
            default: OUT = newValue.string
            }
        }
    }
}
