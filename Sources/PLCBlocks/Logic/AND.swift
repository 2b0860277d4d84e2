public import PLCCore

/// Boolean AND of two inputs, as the AND box of FBD (an operator in ST).
public final class AND: FunctionBlock {
    public static let summary = "Boolean AND."
    public static let stMapping = STMapping.operator("AND")

    @Input("first operand", required: true) public var IN1 = false
    @Input("second operand", required: true) public var IN2 = false
    @Output("IN1 AND IN2") public var OUT = false

    public init() {}

    public func execute(_ context: ScanContext) {
        OUT = IN1 && IN2
    }
}
