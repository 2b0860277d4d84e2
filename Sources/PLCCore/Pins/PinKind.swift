/// How a pin's value is stored in memory: one Swift type per IEC storage class.
///
/// Two pins of the same IEC type always share a kind, so a wire between them is a plain copy of
/// `size` bytes (or a String assignment): no `IECValue` boxing and no dynamic dispatch in the scan.
public enum PinKind: Sendable, Hashable {
    case bool, int8, uint8, int16, uint16, int32, uint32, int64, float, double, string

    /// Bytes per value (the stride of an array element).
    public var size: Int {
        switch self {
        case .bool, .int8, .uint8: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float: 4
        case .int64, .double: 8
        case .string: MemoryLayout<String>.stride
        }
    }

    /// The Swift type that stores this kind, for messages.
    public var swiftName: String {
        switch self {
        case .bool: "Bool"
        case .int8: "Int8"
        case .uint8: "UInt8"
        case .int16: "Int16"
        case .uint16: "UInt16"
        case .int32: "Int32"
        case .uint32: "UInt32"
        case .int64: "Int64"
        case .float: "Float"
        case .double: "Double"
        case .string: "String"
        }
    }

    /// Reads the value at `address` as an `IECValue` of `type` (TIME and integers are told apart by the type).
    public func load(_ address: UnsafeRawPointer, as type: IECType) -> IECValue {
        switch self {
        case .bool: return .bool(address.load(as: Bool.self))
        case .int8: return .int(Int64(address.load(as: Int8.self)))
        case .uint8: return .int(Int64(address.load(as: UInt8.self)))
        case .int16: return .int(Int64(address.load(as: Int16.self)))
        case .uint16: return .int(Int64(address.load(as: UInt16.self)))
        case .int32: return .int(Int64(address.load(as: Int32.self)))
        case .uint32: return .int(Int64(address.load(as: UInt32.self)))
        case .int64:
            let v = address.load(as: Int64.self)
            return type == .time ? .time(v) : .int(v)
        case .float: return .real(Double(address.load(as: Float.self)))
        case .double: return .real(address.load(as: Double.self))
        case .string: return .string(address.assumingMemoryBound(to: String.self).pointee)
        }
    }

    /// Writes `value` at `address`, converting to this kind (integers truncate, as the old pin setters did).
    public func store(_ value: IECValue, _ address: UnsafeMutableRawPointer) {
        switch self {
        case .bool: address.storeBytes(of: value.bool, as: Bool.self)
        case .int8: address.storeBytes(of: Int8(truncatingIfNeeded: value.integer), as: Int8.self)
        case .uint8: address.storeBytes(of: UInt8(truncatingIfNeeded: value.integer), as: UInt8.self)
        case .int16: address.storeBytes(of: Int16(truncatingIfNeeded: value.integer), as: Int16.self)
        case .uint16: address.storeBytes(of: UInt16(truncatingIfNeeded: value.integer), as: UInt16.self)
        case .int32: address.storeBytes(of: Int32(truncatingIfNeeded: value.integer), as: Int32.self)
        case .uint32: address.storeBytes(of: UInt32(truncatingIfNeeded: value.integer), as: UInt32.self)
        case .int64: address.storeBytes(of: value.integer, as: Int64.self)
        case .float: address.storeBytes(of: Float(value.real), as: Float.self)
        case .double: address.storeBytes(of: value.real, as: Double.self)
        case .string: address.assumingMemoryBound(to: String.self).pointee = value.string
        }
    }
}

extension IECValue {
    /// The integer or TIME payload; 0 for any other case.
    @inlinable var integer: Int64 {
        switch self {
        case .int(let v), .time(let v): v
        case .bool(let b): b ? 1 : 0
        default: 0
        }
    }
}

extension IECType {
    /// How a value of this type is stored; an array's kind is its element's.
    public var pinKind: PinKind {
        switch self {
        case .bool: .bool
        case .byte, .usint: .uint8
        case .word, .uint: .uint16
        case .dword, .udint: .uint32
        case .sint: .int8
        case .int: .int16
        case .dint: .int32
        case .lint, .time, .enumeration: .int64
        case .real: .float
        case .lreal: .double
        case .string: .string
        case .array(let element, _): element.pinKind
        }
    }

    /// The number of values a variable of this type holds: the element count for arrays, else 1.
    public var valueCount: Int {
        if case .array(_, let count) = self { return count }
        return 1
    }
}
