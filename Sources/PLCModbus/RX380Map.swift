#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// The Mikro RX380 register map (meters/rx380.yaml) as fixed formulas, and live-looking values for `plc bench`.
///
/// Values are a pure function of time since start, so a simulator run is reproducible and a
/// frozen simulator (time 0) serves a fixed, known image.
public struct RX380Map: Sendable {
    /// The address blocks the meter answers; anything else is exception 02.
    public static let blocks: [ClosedRange<Int>] = [4000...4045, 4124...4135, 4212...4223]

    /// Register address -> value, for every address in `blocks`.
    public let registers: [Int: UInt16]

    /// True when every register of `address..<address+count` lies in one block of the map.
    public static func covers(address: Int, count: Int) -> Bool {
        blocks.contains { $0.contains(address) && $0.contains(address + count - 1) }
    }

    /// The meter's registers `seconds` after the simulator started. A negative time (a wall clock
    /// stepped backwards) counts as 0: the counters never go below their start values.
    public init(seconds: Double) {
        let t = seconds.isFinite ? max(0, seconds) : 0
        var r: [Int: UInt16] = [:]
        for block in Self.blocks { for a in block { r[a] = 0 } }
        func u32(_ address: Int, _ value: UInt32) {
            r[address] = UInt16(value >> 16)
            r[address + 1] = UInt16(value & 0xFFFF)
        }
        func i32(_ address: Int, _ value: Int32) { u32(address, UInt32(bitPattern: value)) }
        let tau = 2 * Double.pi
        // One minute of every five the site exports (solar): total power and power factor go negative.
        let exporting = t.truncatingRemainder(dividingBy: 300) >= 240
        let sign: Double = exporting ? -1 : 1
        var voltsLN: [Double] = [], amps: [Double] = []
        for i in 0..<3 {
            let phase = Double(i) * 2.1
            voltsLN.append(230 + 2.5 * sin(tau * t / 97 + phase) + 0.8 * sin(tau * t / 13 + Double(i)))
            amps.append(10 + 6 * sin(tau * t / 180 + Double(i)))
        }
        let pf = sign * (0.93 + 0.04 * sin(tau * t / 61))
        let powers = (0..<3).map { voltsLN[$0] * amps[$0] * pf }
        let apparent = (0..<3).map { voltsLN[$0] * amps[$0] }.reduce(0, +)
        let real = powers.reduce(0, +)
        let reactive = (apparent * apparent - real * real).squareRoot()
        // Energy counters only ever increase.
        u32(4000, 321 + UInt32(t * 900 / 3_600_000))
        u32(4002, 12_345 + UInt32(t * 8_000 / 3_600_000))
        u32(4006, 15_010 + UInt32(t * 9_000 / 3_600_000))
        u32(4008, 97 + UInt32(t * 150 / 3_600_000))
        u32(4010, 2_345 + UInt32(t * 2_500 / 3_600_000))
        i32(4012, Int32(real.rounded()))
        u32(4014, UInt32(apparent.rounded()))
        i32(4016, Int32(reactive.rounded()))
        r[4018] = UInt16(bitPattern: Int16((pf * 1000).rounded()))
        r[4019] = UInt16((5000 + 4 * sin(tau * t / 41)).rounded())
        for i in 0..<3 {
            u32(4020 + 2 * i, UInt32((amps[i] * 1000).rounded()))
            let lineToLine = (voltsLN[i] + voltsLN[(i + 1) % 3]) / 2 * 3.0.squareRoot()
            u32(4028 + 2 * i, UInt32((lineToLine * 10).rounded()))
            u32(4034 + 2 * i, UInt32((voltsLN[i] * 10).rounded()))
            i32(4040 + 2 * i, Int32(powers[i].rounded()))
            u32(4124 + 4 * i, 4_153 + UInt32(i) * 7)
            u32(4212 + 4 * i, 3_881 + UInt32(i) * 5)
        }
        u32(4026, UInt32((abs(amps[0] - amps[1]) * 1000).rounded()))
        registers = r
    }
}
