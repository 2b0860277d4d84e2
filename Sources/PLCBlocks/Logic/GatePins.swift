public import PLCCore

/// The IN1, IN2, OUT pin layout that the AND and OR boxes share, in that pin order.
public protocol GatePins: FunctionBlock {
    var IN1: Bool { get set }
    var IN2: Bool { get set }
    var OUT: Bool { get set }
}

extension GatePins {
    public subscript(pin pin: Int) -> IECValue {
        get { .bool(pin == 0 ? IN1 : pin == 1 ? IN2 : OUT) }
        set {
            switch pin {
            case 0: IN1 = newValue.bool
            case 1: IN2 = newValue.bool
            default: OUT = newValue.bool
            }
        }
    }
}
