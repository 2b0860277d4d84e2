public import PLCCore

/// Boolean OR of two inputs, as the OR box of FBD (an operator in ST).
public final class OR: FunctionBlock {
    public static let summary = "Boolean OR."
    public static let stMapping = STMapping.operator("OR")

    @Input("first operand", required: true) public var IN1 = false
    @Input("second operand", required: true) public var IN2 = false
    @Output("IN1 OR IN2") public var OUT = false

    public init() {}

    public func execute(_ context: ScanContext) {
        OUT = IN1 || IN2
    }
}
