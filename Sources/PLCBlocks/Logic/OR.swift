public import PLCCore

/// Boolean OR of two inputs, as the OR box of FBD (an operator in ST).
public final class OR: GatePins {
    public static let interface = VarTable("OR", summary: "Boolean OR.", [
        .required("IN1", .bool, "first operand"),
        .required("IN2", .bool, "second operand"),
        .output("OUT", .bool, nil, "IN1 OR IN2"),
    ])

    @exclusivity(unchecked) public var IN1 = false
    @exclusivity(unchecked) public var IN2 = false
    @exclusivity(unchecked) public var OUT = false

    public init() {}

    public func execute(_ context: ScanContext) {
        OUT = IN1 || IN2
    }

}
