/// A value of an IEC variable; its IEC type is known from the variable's declaration.
public enum IECValue: Hashable, Sendable {
    case bool(Bool)
    /// Every integer, bit-string and enumeration type.
    case int(Int64)
    /// REAL and LREAL.
    case real(Double)
    /// TIME, in milliseconds.
    case time(Int64)
    case string(String)
    case array([IECValue])

    /// The BOOL payload; false for any other case.
    @inlinable public var bool: Bool {
        if case .bool(let v) = self { return v }
        return false
    }

    /// The integer payload; 0 for any other case.
    @inlinable public var int: Int64 {
        if case .int(let v) = self { return v }
        return 0
    }

    /// The real payload; integers convert; 0 for any other case.
    @inlinable public var real: Double {
        switch self {
        case .real(let v): return v
        case .int(let v): return Double(v)
        default: return 0
        }
    }

    /// The TIME payload in milliseconds; 0 for any other case.
    @inlinable public var time: Int64 {
        if case .time(let v) = self { return v }
        return 0
    }

    /// The STRING payload; empty for any other case.
    public var string: String {
        if case .string(let v) = self { return v }
        return ""
    }

    /// The element at `index` of an array value, or nil when out of range or not an array.
    public func element(_ index: Int) -> IECValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// True when this value can be stored in a variable of `type` without conversion.
    public func fits(_ type: IECType) -> Bool {
        switch (self, type) {
        case (.bool, .bool), (.real, .real), (.real, .lreal), (.time, .time), (.string, .string):
            return true
        case (.int(let v), _):
            return type.integerRange?.contains(v) ?? false
        case (.array(let items), .array(let element, let count)):
            return items.count == count && items.allSatisfy { $0.fits(element) }
        default:
            return false
        }
    }
}
