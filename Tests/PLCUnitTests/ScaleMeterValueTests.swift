import PLCBlocks
import PLCMeters
import Testing

/// The Swift MeterRead decodes with `MeterValue.raw`, the ST MeterRead with Scale: for the twin to
/// write the Swift program's cells, Scale must decode every format and order exactly as MeterValue.
@Suite("Scale decodes as a meter model's value does, 64-bit formats included")
struct ScaleMeterValueTests {
    @Test("every format and word order, 2,000 pseudo-random register sets each: Scale.decode == MeterValue.raw")
    func sameAsMeterValue() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt16 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt16(truncatingIfNeeded: state >> 33)
        }
        var compared = 0
        for format in ValueFormat.allCases {
            let f = try #require(RegisterFormat.format.cases.firstIndex(of: format.rawValue), "\(format) is not an E_RegFormat")
            for order in WordOrder.allCases {
                let o = try #require(RegisterFormat.wordOrder.cases.firstIndex(of: order.rawValue))
                let value = MeterValue(name: "v", function: 3, address: 0, format: format, order: order)
                for _ in 0..<2_000 {
                    let words = [next(), next(), next(), next()]
                    let expected = value.raw(words[0..<format.registerCount])
                    let got = Scale.decode(words[0], words[1], words[2], words[3], format: Int64(f), order: Int64(o))
                    #expect(got == expected || (got.isNaN && expected.isNaN),
                            "\(format) \(order) \(words): Scale \(got), MeterValue \(expected)")
                    compared += 1
                }
            }
        }
        #expect(compared == ValueFormat.allCases.count * 4 * 2_000)
    }
}
