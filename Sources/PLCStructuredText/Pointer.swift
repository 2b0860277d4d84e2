/// Pointer values: the address of a 64-bit slot. `ADR` of a STRING sets bit 0 (slots are 8-aligned),
/// so a library stand-in given a `POINTER TO BYTE` can tell a string's slot from a byte buffer.
enum Pointer {
    static let stringTag: Int64 = 1

    /// The slot a pointer value addresses, or nil for a null pointer.
    static func slot(_ value: Int64) -> UnsafeMutablePointer<Int64>? {
        UnsafeMutablePointer<Int64>(bitPattern: Int(truncatingIfNeeded: value & ~7))
    }

    static func isString(_ value: Int64) -> Bool { value & stringTag != 0 }
}
