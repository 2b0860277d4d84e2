public import PLCCore

/// Boolean AND of two inputs, as the AND box of FBD (an operator in ST).
public final class AND: GatePins {
    public static let interface = VarTable("AND", summary: "Boolean AND.", [
        .required("IN1", .bool, "first operand"),
        .required("IN2", .bool, "second operand"),
        .output("OUT", .bool, nil, "IN1 AND IN2"),
    ])

    @exclusivity(unchecked) public var IN1 = false
    @exclusivity(unchecked) public var IN2 = false
    @exclusivity(unchecked) public var OUT = false

    public init() {}

    public func execute(_ context: ScanContext) {
        OUT = IN1 && IN2
    }

}
