public import PLCCore

/// The enumeration types Scale declares: how raw Modbus registers encode a number.
public enum RegisterFormat {
    /// `E_RegFormat`: the number type held by one or two registers.
    public static let format = IECEnumType("E_RegFormat", cases: ["INT16", "UINT16", "INT32", "UINT32", "REAL32"])
    /// `E_WordOrder`: the byte order of a 32-bit value across two registers, A the most significant byte.
    /// For 16-bit formats, ABCD and CDAB mean AB (as sent); BADC and DCBA mean a byte-swapped word.
    public static let wordOrder = IECEnumType("E_WordOrder", cases: ["ABCD", "CDAB", "BADC", "DCBA"])
}
