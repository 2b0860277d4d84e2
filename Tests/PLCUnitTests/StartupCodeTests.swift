import Glibc
import PLCCore
import Testing

/// `StartupCode.release()` drops the executable's code pages from resident memory; the code keeps running.
@Suite("Start-up code released")
struct StartupCodeTests {
    /// Resident KiB of the executable's `r-xp` mappings, from /proc/self/smaps.
    static func residentCode() -> Int {
        guard let exe = realpath("/proc/self/exe", nil) else { return -1 }
        let path = String(cString: exe)
        free(exe)
        guard let file = fopen("/proc/self/smaps", "r") else { return -1 }
        defer { fclose(file) }
        var total = 0, inCode = false
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), fields.count >= 2, first.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
                inCode = fields[1] == "r-xp" && text.hasSuffix(path + "\n")
            } else if inCode, fields.first == "Rss:", fields.count >= 2, let kib = Int(fields[1]) {
                total += kib
            }
        }
        return total
    }

    @Test("the code mappings of the test binary are released, and its code runs on afterwards")
    func release() throws {
        let before = Self.residentCode()
        #expect(before > 0)
        let span = StartupCode.release()
        #expect(span > 0)
        let after = Self.residentCode()
        #expect(after < before, "resident code \(before) KiB before, \(after) KiB after")
        // Code runs again from the page cache: a block of this suite's own logic still computes.
        #expect(["b", "a", "c"].sorted().joined() == "abc")
        #expect(String(printf: "%.2f", 2.0 / 3.0) == "0.67")
    }
}
