import Foundation
import PLCCore
import Testing

/// PLCCore's stand-ins for the full-Foundation string API give Foundation's results (the tests may
/// link full Foundation; the runtime does not).
@Suite("Text helpers without full Foundation match Foundation")
struct EssentialsTextTests {
    static let samples = ["", "  a b  ", "\t x\u{00A0}\u{2003}", "\n y \r\n", "\u{00A0}", "\"q\u{0301}\" & <t>", "a\r\nb\rc", "x__1_000", "é", "  "]

    @Test("replacingEvery is replacingOccurrences, also for a quote before a combining mark and for CRLF")
    func replacing() {
        for s in Self.samples {
            for (a, b) in [("\"", "\"\""), ("\r\n", "\n"), ("\r", "\n"), ("_", ""), ("&", "&amp;"), ("  ", " ")] {
                #expect(s.replacingEvery(a, with: b) == s.replacingOccurrences(of: a, with: b), "\(s.debugDescription) \(a.debugDescription)")
            }
        }
    }

    @Test("MarkupText escapes a quote even when a combining mark follows it (one Character, two scalars)")
    func markupQuoteBeforeCombiningMark() {
        let text = "a\"\u{301}b<'\u{301}"
        #expect(MarkupText.escape(text) == "a&quot;\u{301}b&lt;&#39;\u{301}")
        #expect(MarkupText.escape("plain & <simple>") == "plain &amp; &lt;simple&gt;")
    }

    @Test("trimmingSpaces and trimmingSpacesAndNewlines are trimmingCharacters(in: .whitespaces / .whitespacesAndNewlines)")
    func trimming() {
        for s in Self.samples {
            #expect(s.trimmingSpaces() == s.trimmingCharacters(in: .whitespaces), "\(s.debugDescription)")
            #expect(s.trimmingSpacesAndNewlines() == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.debugDescription)")
        }
    }

    @Test("paddingSpaces is padding(toLength:withPad:startingAt:) for ASCII text, cutting and filling")
    func padding() {
        for s in ["", "V", "kvarh", "voltage_l1"] {
            for n in [0, 3, 4, 12] {
                #expect(s.paddingSpaces(toLength: n) == s.padding(toLength: n, withPad: " ", startingAt: 0))
            }
        }
    }

    @Test("String(printf:) is String(format:) for the numeric formats the runtime uses")
    func printf() {
        for v in [0.0, -0.0, 2.0 / 3.0, 1234.5678, -1e-7, 1e20, 0.125, 99.995] {
            for f in ["%.0f", "%.1f", "%.2f", "%.3f", "%.0f%%", "%11.1f"] {
                #expect(String(printf: f, v) == String(format: f, v), "\(f) \(v)")
            }
        }
        #expect(String(printf: "%04ld-%02ld-%02ld", 2026, 3, 9) == "2026-03-09")
        #expect(String(printf: "#%02lx%02lx%02lx", 253, 174, 9) == String(format: "#%02x%02x%02x", 253, 174, 9))
    }

    @Test("path helpers are NSString's path methods")
    func paths() {
        for p in ["/a/b/c.csv", "a/b/", "c.csv", "/", "/a", "a", ".hidden", "/a/b.c/d", "dir/file.tar.gz"] {
            let ns = p as NSString
            #expect(p.pathLastComponent == ns.lastPathComponent, "\(p)")
            // Foundation on Linux traps on deletingLastPathComponent of a name without a slash; its
            // documented result is the empty string.
            #expect(p.pathDeletingLastComponent == (p.contains("/") ? ns.deletingLastPathComponent : ""), "\(p)")
            #expect(p.pathExtensionPart == ns.pathExtension, "\(p)")
            #expect(p.pathDeletingExtension == ns.deletingPathExtension, "\(p)")
            #expect(p.pathAppending("x.yaml") == ns.appendingPathComponent("x.yaml"), "\(p)")
        }
    }
}
