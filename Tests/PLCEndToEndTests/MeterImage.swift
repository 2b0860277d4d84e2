/// A known RX380 register image (addresses 4000-4045) with the values a test expects back.
enum MeterImage {
    static let importEnergy: UInt32 = 123_456          // kWh, total_real_energy
    static let totalPower: Int32 = -1_500              // W: exporting
    static let powerFactor: Int16 = -853               // x 0.001
    static let frequency: UInt16 = 5_002               // x 0.01 Hz
    static let currents: [UInt32] = [10_250, 9_875, 11_004]      // x 0.001 A
    static let voltsLL: [UInt32] = [3_981, 3_995, 4_002]          // x 0.1 V
    static let voltsLN: [UInt32] = [2_297, 2_301, 2_310]          // x 0.1 V

    static let registers: [Int: UInt16] = {
        var r: [Int: UInt16] = [:]
        for a in 4000...4045 { r[a] = 0 }
        func u32(_ a: Int, _ v: UInt32) {
            r[a] = UInt16(v >> 16)
            r[a + 1] = UInt16(v & 0xFFFF)
        }
        func i32(_ a: Int, _ v: Int32) { u32(a, UInt32(bitPattern: v)) }
        u32(4000, 77)
        u32(4002, importEnergy)
        u32(4006, 130_000)
        u32(4008, 12)
        u32(4010, 4_321)
        i32(4012, totalPower)
        u32(4014, 6_900)
        i32(4016, 2_100)
        r[4018] = UInt16(bitPattern: powerFactor)
        r[4019] = frequency
        for i in 0..<3 {
            u32(4020 + 2 * i, currents[i])
            u32(4028 + 2 * i, voltsLL[i])
            u32(4034 + 2 * i, voltsLN[i])
            i32(4040 + 2 * i, -500)
        }
        u32(4026, 1_130)
        return r
    }()
}
