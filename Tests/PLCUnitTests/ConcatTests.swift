import PLCBlocks
import PLCCore
import Testing

/// CONCAT, the string join a location's CSV folder is built with. Codesys has CONCAT as a
/// standard function, so it has no declaration under blocks/ (whose vectors become ST tests).
@Suite("CONCAT")
struct ConcatTests {
    @Test("joins its inputs and follows their changes")
    func joins() throws {
        let block = CONCAT()
        for (a, b, expected) in [("csv", "/Office", "csv/Office"), ("csv", "/Office", "csv/Office"),
                                 ("/mnt/usb/csv", "/Office", "/mnt/usb/csv/Office"), ("/mnt/usb/csv", "", "/mnt/usb/csv"), ("", "", "")] {
            try block.setValue(.string(a), of: "STR1")
            try block.setValue(.string(b), of: "STR2")
            block.execute(ScanContext())
            #expect(block.value(of: "OUT") == .string(expected))
        }
        try BlockTests.checkRoundTrip(CONCAT())
    }
}
