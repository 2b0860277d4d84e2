import Foundation

/// A small deterministic mutation fuzzer for the parsers users feed (program files, vector files,
/// Modbus replies): seeded, so a failing case is reproduced by its seed and case number.
///
/// Each case takes a valid seed input and applies a few structure-aware mutations: byte flips,
/// deletions, duplications, truncations, and insertions of tokens that matter to the parser
/// (YAML indicators, IEC literal prefixes, CSV quotes, huge numbers, non-UTF-8 bytes).
struct Fuzzer {
    /// SplitMix64: tiny, fast, and the same sequence on every machine.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    var random: Random
    let tokens: [[UInt8]]

    init(seed: UInt64, tokens: [String]) {
        random = Random(state: seed)
        self.tokens = tokens.map { Array($0.utf8) } + [[0xFF], [0xC3], [0x00], [0xEF, 0xBB, 0xBF], [13, 10]]
    }

    /// `input` with one to four mutations.
    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1 where !bytes.isEmpty:
                bytes[at] = UInt8.random(in: 32...126, using: &random)
            case 2 where !bytes.isEmpty:
                bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...16, using: &random)))
            case 3:
                bytes.insert(contentsOf: tokens[Int.random(in: 0..<tokens.count, using: &random)], at: at)
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, at + Int.random(in: 1...64, using: &random))
                bytes.insert(contentsOf: bytes[at..<end], at: Int.random(in: 0...bytes.count, using: &random))
            case 5:
                bytes = Array(bytes.prefix(at))
            default:
                // A line swapped with another: keys and rows out of order.
                var lines = bytes.split(separator: 10, omittingEmptySubsequences: false)
                if lines.count > 2 {
                    lines.swapAt(Int.random(in: 0..<lines.count, using: &random), Int.random(in: 0..<lines.count, using: &random))
                    bytes = Array(lines.joined(separator: [10]))
                }
            }
        }
        return bytes
    }
}
