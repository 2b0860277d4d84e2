import Foundation
import Testing

/// The scripts CI runs under `set -o pipefail`: a reader that stops before its input ends kills the
/// writer with SIGPIPE, and pipefail turns that into the script's exit 141 once the writer's output
/// passes the pipe's 64 KiB (it did: `ldconfig -p | awk '... exit'` on a machine with more libraries).
@Suite("CI scripts")
struct CIScriptTests {
    /// `.ci/run` and every `scripts/NAME` it calls, with their text.
    static func ciScripts() throws -> [(name: String, text: String)] {
        let root = PLCCommand.root.path
        let run = try String(contentsOfFile: root + "/.ci/run", encoding: .utf8)
        var names = [".ci/run"]
        for match in run.matches(of: /scripts\/[A-Za-z0-9_-]+/) where !names.contains(String(match.output)) {
            names.append(String(match.output))
        }
        return try names.map { ($0, try String(contentsOfFile: root + "/" + $0, encoding: .utf8)) }
    }

    /// The lines of `text` where a pipeline's reader may stop early: `| head`, `| grep -q`, `| grep -m`,
    /// `| awk ...exit...`, `| sed ...q`.
    static func earlyClosingReaders(in text: String) -> [Int] {
        let reader = /\|\s*(head\b|grep\s+(-[A-Za-z]*[qm])|awk\s+[^|]*\bexit\b|sed\s+(-n\s+)?'?[0-9]*q)/
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            let code = line.trimmingCharacters(in: .whitespaces)
            guard !code.hasPrefix("#"), line.contains(reader) else { return nil }
            return index + 1
        }
    }

    @Test("the scripts CI runs read every pipe to its end (no SIGPIPE exit 141 under pipefail)")
    func noEarlyClosingReader() throws {
        let scripts = try Self.ciScripts()
        #expect(scripts.count >= 5, "found \(scripts.map(\.name))")
        for script in scripts {
            let lines = Self.earlyClosingReaders(in: script.text)
            #expect(lines.isEmpty, "\(script.name): lines \(lines) end a pipe early; read to the end instead (awk NR == 1, sed -n 1p, grep >/dev/null)")
        }
    }

    @Test("the check catches the line that failed CI and the other forms")
    func checkCanFail() {
        let bad = [
            #"lazy=$(/sbin/ldconfig -p | awk '$1 == "libmosquitto.so.1" {print $NF; exit}')"#,
            #"pkg=$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1)"#,
            "id plc | grep -q dialout || fail",
            "ls | grep -qE x",
            "nm plc | grep -m1 x",
        ]
        for line in bad { #expect(Self.earlyClosingReaders(in: line) == [1], "\(line)") }
        let good = [
            #"lazy=$(/sbin/ldconfig -p | awk '$1 == "libmosquitto.so.1" && !found {print $NF; found = 1}')"#,
            "id plc | grep dialout >/dev/null || fail",
            "ls -t dist/*.deb | sed -n 1p",
            "# a comment naming | head -1",
        ]
        for line in good { #expect(Self.earlyClosingReaders(in: line).isEmpty, "\(line)") }
    }
}
