import Foundation
import PLCGraph
import PLCMeters
import Testing

/// Mutated model files never crash the loader: each is a model or a list of `file:line` errors.
@Suite("Meter model files under random edits")
struct MeterModelFuzzTests {
    /// SplitMix64: a small deterministic generator, so a failing case can be replayed by its number.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    /// Characters that matter to YAML and to the model's own syntax (aliases are left to the
    /// loader's own limits: issue 16 covers alias bombs).
    static let alphabet = Array(":-,[]{}#'\" \n\t0123456789abcxyzABCDEF_.%!|>?")

    static func mutate(_ text: String, _ g: inout Generator) -> String {
        var chars = Array(text)
        for _ in 0...g.below(4) {
            guard !chars.isEmpty else { break }
            let at = g.below(chars.count)
            switch g.below(5) {
            case 0: chars.remove(at: at)
            case 1: chars.insert(alphabet[g.below(alphabet.count)], at: at)
            case 2: chars[at] = alphabet[g.below(alphabet.count)]
            case 3:                                   // duplicate a stretch (a line pasted twice)
                let end = min(chars.count, at + g.below(80))
                chars.insert(contentsOf: chars[at..<end], at: at)
            default: chars.removeSubrange(at..<min(chars.count, at + g.below(40)))
            }
        }
        return String(chars)
    }

    @Test("3,000 mutations of each shipped model: a model or file:line errors, never a crash", arguments: ["rx380", "sdm630", "iem3155"])
    func mutations(model: String) throws {
        let path = MeterModelTests.meters.appendingPathComponent("\(model).yaml").path
        let original = try String(contentsOfFile: path, encoding: .utf8)
        var g = Generator(state: UInt64(model.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        var rejected = 0
        for n in 0..<3_000 {
            let text = Self.mutate(original, &g)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            do {
                let parsed = try MeterModelLoader.parse(text, path: path)
                // What loads is consistent: its groups are reads the meter answers.
                for group in parsed.groups { #expect(parsed.answers(address: group.address, count: group.count), "case \(n)") }
            } catch {
                rejected += 1
                #expect(!error.errors.isEmpty, "case \(n)")
                for e in error.errors {
                    #expect(e.file == path && !e.message.isEmpty, "case \(n): \(e)")
                    if let line = e.line { #expect((1...lines + 1).contains(line), "case \(n): \(e)") }
                }
            }
        }
        #expect(rejected > 300, "the mutations should break most files: \(rejected) rejected")
    }
}
