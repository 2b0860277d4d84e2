/// A Swift type that can store a pin: its `PinKind` and the IEC type it stands for when none is declared.
public protocol PinValue {
    /// How values of this type are laid out.
    static var pinKind: PinKind { get }
    /// The IEC type of a pin of this Swift type when the declaration names none.
    static var defaultIECType: IECType { get }
}

extension Bool: PinValue {
    public static var pinKind: PinKind { .bool }
    public static var defaultIECType: IECType { .bool }
}
extension Int8: PinValue {
    public static var pinKind: PinKind { .int8 }
    public static var defaultIECType: IECType { .sint }
}
extension UInt8: PinValue {
    public static var pinKind: PinKind { .uint8 }
    public static var defaultIECType: IECType { .usint }
}
extension Int16: PinValue {
    public static var pinKind: PinKind { .int16 }
    public static var defaultIECType: IECType { .int }
}
extension UInt16: PinValue {
    public static var pinKind: PinKind { .uint16 }
    public static var defaultIECType: IECType { .uint }
}
extension Int32: PinValue {
    public static var pinKind: PinKind { .int32 }
    public static var defaultIECType: IECType { .dint }
}
extension UInt32: PinValue {
    public static var pinKind: PinKind { .uint32 }
    public static var defaultIECType: IECType { .udint }
}
extension Int64: PinValue {
    public static var pinKind: PinKind { .int64 }
    public static var defaultIECType: IECType { .lint }
}
extension Float: PinValue {
    public static var pinKind: PinKind { .float }
    public static var defaultIECType: IECType { .real }
}
extension Double: PinValue {
    public static var pinKind: PinKind { .double }
    public static var defaultIECType: IECType { .lreal }
}
extension String: PinValue {
    public static var pinKind: PinKind { .string }
    public static var defaultIECType: IECType { .string }
}

/// The zero value of each pin type, which array pins start from.
public protocol ZeroablePinValue: PinValue {
    /// FALSE, 0, 0.0 or the empty string.
    static var zero: Self { get }
}

extension Bool: ZeroablePinValue { public static var zero: Bool { false } }
extension Int8: ZeroablePinValue {}
extension UInt8: ZeroablePinValue {}
extension Int16: ZeroablePinValue {}
extension UInt16: ZeroablePinValue {}
extension Int32: ZeroablePinValue {}
extension UInt32: ZeroablePinValue {}
extension Int64: ZeroablePinValue {}
extension Float: ZeroablePinValue {}
extension Double: ZeroablePinValue {}
extension String: ZeroablePinValue { public static var zero: String { "" } }
