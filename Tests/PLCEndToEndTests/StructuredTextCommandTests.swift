import Foundation
import Testing

@Suite("plc check-st and plc trace --st")
struct StructuredTextCommandTests {
    @Test("plc trace --st gives the same CSV as the Swift trace, and --check passes")
    func traceSTMatchesSwift() throws {
        for (type, file) in [("Scale", "scale_word_orders.csv"), ("TON", "ton_basic.csv"), ("ErrorLatch", "error_latch_outages.csv")] {
            let vectors = "blocks/\(type)/vectors/\(file)"
            let swift = try PLCCommand.run(["trace", type, vectors])
            let st = try PLCCommand.run(["trace", type, vectors, "--st", "st-reference"])
            #expect(st.status == 0, "\(st.stderr)")
            #expect(st.stdout == swift.stdout)
            let check = try PLCCommand.run(["trace", type, vectors, "--st", "st-reference", "--check"])
            #expect(check.status == 0, "\(check.stderr)")
            #expect(check.stdout.hasPrefix("ok \(vectors): "))
        }
    }

    @Test("plc trace --st --check exits 1 on a mutated twin, 2 on an unknown block")
    func traceSTFailures() throws {
        let folder = try PLCCommand.programFolder("")
        let reference = PLCCommand.root.appendingPathComponent("st-reference").path
        for name in try FileManager.default.contentsOfDirectory(atPath: reference) where name.hasSuffix(".st") {
            var text = try String(contentsOfFile: "\(reference)/\(name)", encoding: .utf8)
            if name == "ErrorLatch.st" { text = text.replacingOccurrences(of: "xCleared := TRUE;", with: "xCleared := FALSE;") }
            try text.write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
        }
        let vectors = "blocks/ErrorLatch/vectors/error_latch_outages.csv"
        let mutated = try PLCCommand.run(["trace", "ErrorLatch", vectors, "--st", folder, "--check"])
        #expect(mutated.status == 1)
        #expect(mutated.stderr.contains("xCleared expected TRUE, got FALSE"), "\(mutated.stderr)")
        let unknown = try PLCCommand.run(["trace", "NoSuchBlock", vectors, "--st", folder])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "plc trace: no FUNCTION_BLOCK NoSuchBlock in \(folder) (nor in the Standard library)\n")
    }

    @Test("a CONCAT box exports as Codesys's CONCAT function, and the PROGRAM checks with st-reference")
    func concatExportsAsAFunction() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-concat-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = dir.appendingPathComponent("joined.yaml")
        try """
            program: joined
            variables:
              - {scope: VAR, name: Folder, type: STRING, initial: csv}
            blocks:
              - {name: sub, type: CONCAT, inputs: {STR1: Folder, STR2: '/Office'}}
              - {name: pulse, type: WallClockPulse, inputs: {tInterval: T#1m}}
              - {name: log, type: CSVLogger, inputs: {xExecute: pulse.Q, sFolder: sub.OUT, sPrefix: 'energy', sColumns: 'a'}}
            """.write(to: program, atomically: true, encoding: .utf8)
        let st = dir.appendingPathComponent("st")
        let export = try PLCCommand.run(["export", "st", program.path, "--output", st.path])
        #expect(export.status == 0, "\(export.stderr)")
        let text = try String(contentsOf: st.appendingPathComponent("joined.st"), encoding: .utf8)
        #expect(text.contains("sub := CONCAT(Folder, '/Office');"), "\(text)")
        #expect(text.contains("sFolder := sub,"), "\(text)")
        #expect(!text.contains(": CONCAT"), "a function has no instance: \(text)")
        // With the twins beside it, the exported PROGRAM is clean for the engine's checker.
        let reference = PLCCommand.root.appendingPathComponent("st-reference")
        for name in try FileManager.default.contentsOfDirectory(atPath: reference.path) where name.hasSuffix(".st") {
            try FileManager.default.copyItem(at: reference.appendingPathComponent(name), to: st.appendingPathComponent(name))
        }
        let check = try PLCCommand.run(["check-st", st.path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test("plc check-st exits 0 on clean files and 2 with every error as file:line:col: message")
    func checkST() throws {
        let clean = try PLCCommand.programFolder("")
        try """
            FUNCTION_BLOCK Hysteresis
            VAR_INPUT rIn : REAL; rOn : REAL := 10.0; rOff : REAL := 8.0; END_VAR
            VAR_OUTPUT xOut : BOOL; END_VAR
            IF rIn >= rOn THEN xOut := TRUE; ELSIF rIn <= rOff THEN xOut := FALSE; END_IF
            END_FUNCTION_BLOCK
            """.write(toFile: clean + "/Hysteresis.st", atomically: true, encoding: .utf8)
        let ok = try PLCCommand.run(["check-st", clean])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout == "ok \(clean): 1 files\n")
        let described = try PLCCommand.run(["check-st", clean, "--describe"])
        #expect(described.stdout.contains("FUNCTION_BLOCK Hysteresis\n"))
        #expect(described.stdout.contains("VAR_INPUT   rOn   REAL  10.0"), "\(described.stdout)")

        let bad = try PLCCommand.programFolder("")
        try "FUNCTION_BLOCK A\nVAR x : INT; END_VAR\nx := TRUE;\ny := 1;\nEND_FUNCTION_BLOCK\n"
            .write(toFile: bad + "/A.st", atomically: true, encoding: .utf8)
        try "FUNCTION B : INT\nB := 1 +;\nEND_FUNCTION\n".write(toFile: bad + "/B.st", atomically: true, encoding: .utf8)
        let result = try PLCCommand.run(["check-st", bad])
        #expect(result.status == 2)
        #expect(result.stderr == """
            \(bad)/A.st:3:6: cannot convert type 'BOOL' to type 'INT'
            \(bad)/A.st:4:1: unknown name 'y'
            \(bad)/B.st:2:9: expected an expression, found ;

            """)
    }

    @Test("plc check-st st-reference reports F_LocalTimeMs's SysTimeRtc calls while they pass pointers")
    func checkSTReference() throws {
        let result = try PLCCommand.run(["check-st", "st-reference"])
        let text = try String(contentsOf: PLCCommand.root.appendingPathComponent("st-reference/F_LocalTimeMs.st"),
                              encoding: .utf8)
        if text.contains("pTimestamp := ADR(") {
            #expect(result.status == 2)
            #expect(result.stderr.contains("st-reference/F_LocalTimeMs.st:12:49: VAR_IN_OUT 'pTimestamp' of 'SysTimeRtcHighResGet' needs a variable of type 'ULINT'"))
        } else {
            #expect(result.status == 0, "\(result.stderr)")
        }
    }
}
