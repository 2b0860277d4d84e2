/// How a meter encodes one number in its registers.
public enum ValueFormat: String, Sendable, CaseIterable {
    case int16 = "INT16", uint16 = "UINT16", int32 = "INT32", uint32 = "UINT32"
    case int64 = "INT64", uint64 = "UINT64", real32 = "REAL32"

    /// Registers the value occupies.
    public var registerCount: Int {
        switch self {
        case .int16, .uint16: 1
        case .int32, .uint32, .real32: 2
        case .int64, .uint64: 4
        }
    }
}

/// The order of the bytes of a multi-register value, A the most significant byte as ABCD on the wire.
///
/// `ABCD` is big-endian (high word first); `CDAB` swaps the words (low word first); `BADC`
/// swaps the bytes in each word; `DCBA` does both. For 64-bit values the same rule applies to
/// the four words; for 16-bit values the word order is moot and BADC/DCBA swap the two bytes.
public enum WordOrder: String, Sendable, CaseIterable {
    case abcd = "ABCD", cdab = "CDAB", badc = "BADC", dcba = "DCBA"

    var lowWordFirst: Bool { self == .cdab || self == .dcba }
    var swapBytes: Bool { self == .badc || self == .dcba }
}

/// One value of a meter model: where it is, how it is encoded, and how to show it.
public struct MeterValue: Sendable, Equatable {
    /// The CSV column name (`voltage_l12`, `total_real_energy`, ...).
    public var name: String
    /// 3 (holding registers) or 4 (input registers).
    public var function: UInt8
    /// The 0-based protocol address of the first register.
    public var address: Int
    public var format: ValueFormat
    public var order: WordOrder
    /// Engineering value = raw number x factor (e.g. 0.1 for tenths of a volt, 1000 for kW to W).
    public var factor: Double
    /// Digits after the point: the register's resolution after the factor.
    public var decimals: Int
    public var unit: String
    /// Polled by default (values with `poll: false` are documented and simulated, not read).
    public var poll: Bool
    /// The line of the value in its model file.
    public var line: Int

    public init(name: String, function: UInt8, address: Int, format: ValueFormat, order: WordOrder = .abcd,
                factor: Double = 1, decimals: Int = 0, unit: String = "", poll: Bool = true, line: Int = 0) {
        self.name = name
        self.function = function
        self.address = address
        self.format = format
        self.order = order
        self.factor = factor
        self.decimals = decimals
        self.unit = unit
        self.poll = poll
        self.line = line
    }

    /// The registers the value occupies.
    public var registers: ClosedRange<Int> { address...(address + format.registerCount - 1) }

    /// The engineering value from the value's own registers, in wire order (`words[0]` at `address`).
    public func decode(_ words: ArraySlice<UInt16>) -> Double {
        raw(words) * factor
    }

    /// The raw number (before the factor) encoded in `words`.
    public func raw(_ words: ArraySlice<UInt16>) -> Double {
        var bits: UInt64 = 0
        let n = format.registerCount
        for i in 0..<n {
            var w = words[words.startIndex + (order.lowWordFirst && n > 1 ? n - 1 - i : i)]
            if order.swapBytes { w = w.byteSwapped }
            bits = bits << 16 | UInt64(w)
        }
        switch format {
        case .int16: return Double(Int16(truncatingIfNeeded: bits))
        case .uint16: return Double(UInt16(truncatingIfNeeded: bits))
        case .int32: return Double(Int32(truncatingIfNeeded: bits))
        case .uint32: return Double(UInt32(truncatingIfNeeded: bits))
        case .int64: return Double(Int64(bitPattern: bits))
        case .uint64: return Double(bits)
        case .real32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        }
    }

    /// The registers, in wire order, that encode `value` (engineering units): the inverse of `decode`,
    /// rounded to the format's resolution and clamped to its range.
    public func encode(_ value: Double) -> [UInt16] {
        let x = value / factor
        let bits: UInt64
        switch format {
        case .int16: bits = UInt64(UInt16(bitPattern: Int16(Self.clamp(x, Double(Int16.min), Double(Int16.max)))))
        case .uint16: bits = UInt64(UInt16(Self.clamp(x, 0, Double(UInt16.max))))
        case .int32: bits = UInt64(UInt32(bitPattern: Int32(Self.clamp(x, Double(Int32.min), Double(Int32.max)))))
        case .uint32: bits = UInt64(UInt32(Self.clamp(x, 0, Double(UInt32.max))))
        case .int64: bits = UInt64(bitPattern: Int64(Self.clamp(x, -9.2e18, 9.2e18)))
        case .uint64: bits = UInt64(Self.clamp(x, 0, 1.8e19))
        case .real32: bits = UInt64(Float(x).bitPattern)
        }
        let n = format.registerCount
        var words = [UInt16](repeating: 0, count: n)
        for i in 0..<n {
            var w = UInt16(truncatingIfNeeded: bits >> (16 * UInt64(n - 1 - i)))
            if order.swapBytes { w = w.byteSwapped }
            words[order.lowWordFirst && n > 1 ? n - 1 - i : i] = w
        }
        return words
    }

    private static func clamp(_ x: Double, _ low: Double, _ high: Double) -> Double {
        guard x.isFinite else { return 0 }
        return min(max(x.rounded(), low), high)
    }
}
