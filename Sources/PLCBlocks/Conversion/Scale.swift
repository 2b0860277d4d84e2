public import PLCCore

/// Turns one or two raw register words into an engineering value: raw × lrFactor + lrOffset.
///
/// `wReg0` is the register at the lower address, `wReg1` the next one (unused by 16-bit formats).
/// A REAL32 that is NaN or infinite gives `xValid` FALSE and `lrValue` 0.0, never a silent NaN.
public final class Scale: FunctionBlock {
    public static let interface = VarTable("Scale", summary: "Raw registers to an engineering value.", [
        .required("wReg0", .word, "register at the lower address"),
        .input("wReg1", .word, nil, "register at the next address (32-bit formats)"),
        .input("eFormat", .enumeration(RegisterFormat.format), nil, "number type in the registers"),
        .input("eOrder", .enumeration(RegisterFormat.wordOrder), nil, "word and byte order"),
        .input("lrFactor", .lreal, .real(1), "resolution: engineering units per raw count"),
        .input("lrOffset", .lreal, nil, "added after scaling"),
        .output("lrValue", .lreal, nil, "raw * lrFactor + lrOffset"),
        .output("xValid", .bool, nil, "FALSE when the raw value is NaN or infinite"),
    ])

    @exclusivity(unchecked) public var wReg0: UInt16 = 0
    @exclusivity(unchecked) public var wReg1: UInt16 = 0
    @exclusivity(unchecked) public var eFormat: Int64 = 0
    @exclusivity(unchecked) public var eOrder: Int64 = 0
    @exclusivity(unchecked) public var lrFactor = 1.0
    @exclusivity(unchecked) public var lrOffset = 0.0
    @exclusivity(unchecked) public var lrValue = 0.0
    @exclusivity(unchecked) public var xValid = false

    public init() {}

    public func execute(_ context: ScanContext) {
        let raw = Scale.decode(wReg0, wReg1, format: eFormat, order: eOrder)
        let value = raw * lrFactor + lrOffset
        xValid = value.isFinite
        lrValue = xValid ? value : 0
    }

    /// The raw number held by the registers, before factor and offset; NaN or ±inf pass through.
    public static func decode(_ reg0: UInt16, _ reg1: UInt16, format: Int64, order: Int64) -> Double {
        let swapBytes = order == 2 || order == 3            // BADC, DCBA
        let swapWords = order == 1 || order == 3            // CDAB, DCBA
        let a = swapBytes ? reg0.byteSwapped : reg0
        let b = swapBytes ? reg1.byteSwapped : reg1
        let bits32 = swapWords ? UInt32(b) << 16 | UInt32(a) : UInt32(a) << 16 | UInt32(b)
        switch format {
        case 0: return Double(Int16(bitPattern: a))
        case 1: return Double(a)
        case 2: return Double(Int32(bitPattern: bits32))
        case 3: return Double(bits32)
        default: return Double(Float(bitPattern: bits32))
        }
    }

    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .int(Int64(wReg0))
            case 1: .int(Int64(wReg1))
            case 2: .int(eFormat)
            case 3: .int(eOrder)
            case 4: .real(lrFactor)
            case 5: .real(lrOffset)
            case 6: .real(lrValue)
            default: .bool(xValid)
            }
        }
        set {
            switch pin {
            case 0: wReg0 = UInt16(truncatingIfNeeded: newValue.int)
            case 1: wReg1 = UInt16(truncatingIfNeeded: newValue.int)
            case 2: eFormat = newValue.int
            case 3: eOrder = newValue.int
            case 4: lrFactor = newValue.real
            case 5: lrOffset = newValue.real
            case 6: lrValue = newValue.real
            default: xValid = newValue.bool
            }
        }
    }
}
