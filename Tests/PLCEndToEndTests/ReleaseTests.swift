import Foundation
import Testing

@Suite("plc --version and hostile YAML on the command line")
struct ReleaseTests {
    @Test("plc --version prints the release number and the commit (unknown outside scripts/release)")
    func version() throws {
        let result = try PLCCommand.run(["--version"])
        #expect(result.status == 0)
        let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(text.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{7,40}(-dirty)?|unknown)\)/) != nil, "\(text)")
    }

    @Test("plc check refuses a program keyed by YAML aliases at once, exit 2 with file:line")
    func aliasKeys() throws {
        var text = "program: t\nl0: &l0 {a: 1, b: 2, c: 3}\n"
        for level in 1...7 {
            text += "l\(level): &l\(level) {*l\(level - 1): *l\(level - 1), ? *l\(level - 1) : x}\n"
        }
        let dir = try PLCCommand.programFolder(text)
        let result = try PLCCommand.run(["check", dir], timeout: 20)
        #expect(result.status == 2)
        #expect(result.stderr == "\(dir)/program.yaml:3: a YAML alias cannot be a mapping key; write the key out\n",
                "\(result.stderr)")
    }
}
