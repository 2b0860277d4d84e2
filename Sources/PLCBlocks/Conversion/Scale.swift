public import PLCCore

/// Turns one, two or four raw register words into an engineering value: raw × lrFactor + lrOffset.
///
/// `wReg0` is the register at the lower address, `wReg1`..`wReg3` the next ones (unused by the
/// formats that need fewer). A REAL32 that is NaN or infinite gives `xValid` FALSE and `lrValue` 0.0,
/// never a silent NaN. A 64-bit integer beyond 2^53 is rounded to the nearest LREAL.
public final class Scale: FunctionBlock {
    public static let summary = "Raw registers to an engineering value."

    @Input(.word, "register at the lower address", required: true) public var wReg0: UInt16 = 0
    @Input(.word, "register at the next address (32- and 64-bit formats)") public var wReg1: UInt16 = 0
    @Input(.word, "third register (64-bit formats)") public var wReg2: UInt16 = 0
    @Input(.word, "fourth register (64-bit formats)") public var wReg3: UInt16 = 0
    @Input(.enumeration(RegisterFormat.format), "number type in the registers") public var eFormat: Int64 = 0
    @Input(.enumeration(RegisterFormat.wordOrder), "word and byte order") public var eOrder: Int64 = 0
    @Input("resolution: engineering units per raw count") public var lrFactor = 1.0
    @Input("added after scaling") public var lrOffset = 0.0
    @Output("raw * lrFactor + lrOffset") public var lrValue = 0.0
    @Output("FALSE when the raw value is NaN or infinite") public var xValid = false

    public init() {}

    public func execute(_ context: ScanContext) {
        let raw = Scale.decode(wReg0, wReg1, wReg2, wReg3, format: eFormat, order: eOrder)
        let value = raw * lrFactor + lrOffset
        xValid = value.isFinite
        lrValue = xValid ? value : 0
    }

    /// The raw number held by the registers, before factor and offset; NaN or ±inf pass through.
    ///
    /// The word order applies to all the words a format takes: CDAB and DCBA put the least
    /// significant word at the lower address (for 64 bits: `reg3 reg2 reg1 reg0`, most significant
    /// first), BADC and DCBA swap the two bytes of every word.
    public static func decode(_ reg0: UInt16, _ reg1: UInt16, _ reg2: UInt16 = 0, _ reg3: UInt16 = 0,
                              format: Int64, order: Int64) -> Double {
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
        case 5, 6:
            let c = swapBytes ? reg2.byteSwapped : reg2
            let d = swapBytes ? reg3.byteSwapped : reg3
            let (w0, w1, w2, w3) = swapWords ? (d, c, b, a) : (a, b, c, d)
            let bits64 = UInt64(w0) << 48 | UInt64(w1) << 32 | UInt64(w2) << 16 | UInt64(w3)
            return format == 5 ? Double(Int64(bitPattern: bits64)) : Double(bits64)
        default: return Double(Float(bitPattern: bits32))
        }
    }
}
