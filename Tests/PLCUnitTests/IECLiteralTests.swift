import PLCCore
import Testing

@Suite("IEC literals")
struct IECLiteralTests {
    @Test("integers in every base, with signs, prefixes and underscores")
    func integers() throws {
        #expect(try IECLiteral.parse("16#0FA0", as: .word) == .int(4000))
        #expect(try IECLiteral.parse("2#1010", as: .int) == .int(10))
        #expect(try IECLiteral.parse("8#17", as: .int) == .int(15))
        #expect(try IECLiteral.parse("-12", as: .int) == .int(-12))
        #expect(try IECLiteral.parse("DINT#-2147483648", as: .dint) == .int(-2_147_483_648))
        #expect(try IECLiteral.parse("1_000", as: .udint) == .int(1000))
        #expect(try IECLiteral.parse("16#FFFFFFFF", as: .udint) == .int(4_294_967_295))
    }

    @Test("out-of-range and malformed integers are errors that say why",
          arguments: [("32768", IECType.int, "out of range"), ("-1", .uint, "out of range"),
                      ("16#10000", .word, "out of range"), ("12a", .int, "not an integer"),
                      ("3#12", .int, "unknown base"), ("", .dint, "not an integer"),
                      ("99999999999999999999", .lint, "out of range")])
    func badIntegers(text: String, type: IECType, reason: String) {
        #expect {
            try IECLiteral.parse(text, as: type)
        } throws: { error in
            (error as? IECError)?.message.contains(reason) == true
        }
    }

    @Test("reals, booleans and strings")
    func realsBoolsStrings() throws {
        #expect(try IECLiteral.parse("1.5E3", as: .lreal) == .real(1500))
        #expect(try IECLiteral.parse("-0.853", as: .lreal) == .real(-0.853))
        #expect(try IECLiteral.parse("TRUE", as: .bool) == .bool(true))
        #expect(try IECLiteral.parse("false", as: .bool) == .bool(false))
        #expect(try IECLiteral.parse("'it$'s $$5$N'", as: .string) == .string("it's $5\n"))
        #expect(throws: IECError.self) { try IECLiteral.parse("1e400", as: .lreal) }
        #expect(throws: IECError.self) { try IECLiteral.parse("1e39", as: .real) }
        #expect(throws: IECError.self) { try IECLiteral.parse("yes", as: .bool) }
        #expect(throws: IECError.self) { try IECLiteral.parse("'open", as: .string) }
    }

    @Test("TIME literals in every spelling", arguments: [
        ("T#1h2m3s4ms", Int64(3_723_004)), ("TIME#250ms", 250), ("t#5m", 300_000), ("T#1.5s", 1500),
        ("T#1d", 86_400_000), ("time#1m30s", 90_000), ("T#-5s", -5000), ("T#1h_30m", 5_400_000),
    ])
    func times(text: String, ms: Int64) throws {
        #expect(try IECLiteral.parse(text, as: .time) == .time(ms))
    }

    @Test("malformed TIME literals", arguments: ["5s", "T#", "T#5x", "T#5s1m", "T#s", "TIME#1.2.3s"])
    func badTimes(text: String) {
        #expect(throws: IECError.self) { try IECLiteral.parse(text, as: .time) }
    }

    @Test("printing: TIME in ms, WORD in hex, reals without float noise")
    func printing() {
        #expect(IECLiteral.format(.time(90_000), as: .time) == "T#90000ms")
        #expect(IECLiteral.format(.int(4000), as: .word) == "16#0FA0")
        #expect(IECLiteral.format(.real(2297 * 0.1), as: .lreal) == "229.70000000000002")
        #expect(IECLiteral.format(.real(229.7), as: .lreal) == "229.7")
        #expect(IECLiteral.format(.real(Double(Float(229.7))), as: .real) == "229.7")
        #expect(IECLiteral.format(.real(1e16), as: .lreal) == "1.0E+16")
        #expect(IECLiteral.format(.string("a'b"), as: .string) == "'a$'b'")
    }

    @Test("for people, TIME is printed in units as Codesys's online view shows it, and reads back")
    func readableTime() throws {
        #expect(IECLiteral.readable(.time(86_400_000), as: .time) == "T#1d")
        #expect(IECLiteral.readable(.time(300_000), as: .time) == "T#5m")
        #expect(IECLiteral.readable(.time(1_500), as: .time) == "T#1s500ms")
        #expect(IECLiteral.readable(.time(90_061_001), as: .time) == "T#1d1h1m1s1ms")
        #expect(IECLiteral.readable(.time(0), as: .time) == "T#0ms")
        #expect(IECLiteral.readable(.time(-2_000), as: .time) == "T#-2s")
        #expect(IECLiteral.readable(.int(0x0FA0), as: .word) == "16#0FA0")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let ms = Int64.random(in: -Int64(Int32.max) * 1000...Int64(Int32.max) * 1000, using: &generator)
            #expect(try IECLiteral.parse(IECLiteral.readableTime(ms), as: .time) == .time(ms), "\(ms)")
        }
    }

    @Test("printed literals parse back to the same value")
    func roundTrip() throws {
        let samples: [(IECValue, IECType)] = [
            (.int(-32768), .int), (.int(65535), .word), (.real(-0.001), .lreal), (.real(3.4e38), .lreal),
            (.time(0), .time), (.time(123_456), .time), (.string("x,y $ 'z'"), .string), (.bool(true), .bool),
            (.array([.int(1), .int(2), .int(0)]), .array(.word, count: 3)),
        ]
        for (value, type) in samples {
            #expect(try IECLiteral.parse(IECLiteral.format(value, as: type), as: type) == value)
        }
    }

    @Test("reals compare with a relative tolerance of 1e-6")
    func tolerance() {
        #expect(IECLiteral.matches(.real(229.7), .real(2297 * 0.1), as: .lreal))
        #expect(IECLiteral.matches(.real(1_000_000), .real(1_000_000.5), as: .lreal))
        #expect(!IECLiteral.matches(.real(1_000_000), .real(1_000_002), as: .lreal))
        #expect(!IECLiteral.matches(.real(0), .real(0.001), as: .lreal))
    }

    @Test("type names parse, including arrays and enumerations")
    func typeNames() throws {
        let order = IECEnumType("E_WordOrder", cases: ["ABCD", "CDAB"])
        #expect(try IECType.parse("ARRAY[0..124] OF WORD") == .array(.word, count: 125))
        #expect(try IECType.parse("udint") == .udint)
        #expect(try IECType.parse("e_wordorder", enums: ["E_WordOrder": order]) == .enumeration(order))
        #expect(try IECLiteral.parse("E_WordOrder.CDAB", as: .enumeration(order)) == .int(1))
        #expect(throws: IECError.self) { try IECType.parse("ARRAY[1..4] OF WORD") }
        #expect(throws: IECError.self) { try IECType.parse("FLOAT") }
    }
}
