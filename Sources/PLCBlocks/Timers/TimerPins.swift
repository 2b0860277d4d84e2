public import PLCCore

/// The IN, PT, Q, ET pin layout that TON, TOF and TP share, in that pin order.
public protocol TimerPins: FunctionBlock {
    var IN: Bool { get set }
    var PT: Int64 { get set }
    var Q: Bool { get set }
    var ET: Int64 { get set }
}

extension TimerPins {
    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .bool(IN)
            case 1: .time(PT)
            case 2: .bool(Q)
            default: .time(ET)
            }
        }
        set {
            switch pin {
            case 0: IN = newValue.bool
            case 1: PT = newValue.time
            case 2: Q = newValue.bool
            default: ET = newValue.time
            }
        }
    }
}
