public import PLCCore

/// Turns one or two raw register words into an engineering value: raw × lrFactor + lrOffset.
///
/// `wReg0` is the register at the lower address, `wReg1` the next one (unused by 16-bit formats).
/// A REAL32 that is NaN or infinite gives `xValid` FALSE and `lrValue` 0.0, never a silent NaN.
public final class Scale: FunctionBlock {
    public static let summary = "Raw registers to an engineering value."

    @Input(.word, "register at the lower address", required: true) public var wReg0: UInt16 = 0
    @Input(.word, "register at the next address (32-bit formats)") public var wReg1: UInt16 = 0
    @Input(.enumeration(RegisterFormat.format), "number type in the registers") public var eFormat: Int64 = 0
    @Input(.enumeration(RegisterFormat.wordOrder), "word and byte order") public var eOrder: Int64 = 0
    @Input("resolution: engineering units per raw count") public var lrFactor = 1.0
    @Input("added after scaling") public var lrOffset = 0.0
    @Output("raw * lrFactor + lrOffset") public var lrValue = 0.0
    @Output("FALSE when the raw value is NaN or infinite") public var xValid = false

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
}
