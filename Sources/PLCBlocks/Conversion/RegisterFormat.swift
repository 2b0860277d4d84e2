public import PLCCore

/// The enumeration types Scale declares: how raw Modbus registers encode a number.
public enum RegisterFormat {
    /// `E_RegFormat`: the number type held by one, two or four registers.
    public static let format = IECEnumType("E_RegFormat", cases: ["INT16", "UINT16", "INT32", "UINT32", "REAL32", "INT64", "UINT64"])
    /// `E_WordOrder`: the byte order of a multi-register value, A the most significant byte.
    /// ABCD: most significant word first; CDAB: least significant word first (for 64-bit values all
    /// four words reversed); BADC and DCBA: the same with the two bytes of every word swapped.
    /// For 16-bit formats, ABCD and CDAB mean AB (as sent); BADC and DCBA mean a byte-swapped word.
    public static let wordOrder = IECEnumType("E_WordOrder", cases: ["ABCD", "CDAB", "BADC", "DCBA"])
}
