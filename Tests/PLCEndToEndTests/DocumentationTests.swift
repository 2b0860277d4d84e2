import Foundation
import Testing

/// The manual matches the code: every `plc` command the README and `docs/` show still parses, every
/// relative link points at a file, and `docs/README.md` lists every page.
@Suite struct DocumentationTests {
    /// README.md and every page under docs/.
    static func pages() throws -> [URL] {
        let docs = PLCCommand.root.appendingPathComponent("docs")
        let names = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }.sorted()
        return [PLCCommand.root.appendingPathComponent("README.md")] + names.map { docs.appendingPathComponent($0) }
    }

    /// A `plc` command shown on a page: where it stands, its arguments after `plc`, and whether it
    /// stands inline in prose (`plc check`), where naming a command without its arguments is fine.
    struct Command: CustomStringConvertible {
        let place: String
        let arguments: [String]
        var inline = false
        var description: String { "\(place): plc \(arguments.joined(separator: " "))" }
    }

    /// The commands in code: fenced or indented blocks, and inline code spans that start with `plc `.
    static func commands(in page: URL) throws -> [Command] {
        let text = try String(contentsOf: page, encoding: .utf8)
        var found: [Command] = []
        var fenced = false, continued = ""
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            let place = "\(page.lastPathComponent):\(index + 1)"
            if line.hasPrefix("```") { fenced.toggle(); continue }
            if fenced || line.hasPrefix("    ") {
                // A code line; one ending in a backslash goes on on the next line.
                if line.hasSuffix("\\") { continued += line.dropLast() + " "; continue }
                if let arguments = plcArguments(continued + line) { found.append(Command(place: place, arguments: arguments)) }
                continued = ""
            } else {
                // Inline code spans: the odd-numbered pieces between backticks.
                let pieces = line.components(separatedBy: "`")
                for span in stride(from: 1, to: pieces.count, by: 2).map({ pieces[$0] }) {
                    if let arguments = plcArguments(span) {
                        found.append(Command(place: place, arguments: arguments, inline: true))
                    }
                }
            }
        }
        return found
    }

    /// The arguments after `plc` when `text` runs the tool (`plc ...`, `$ plc ...`,
    /// `swift run -c release plc ...`, `.build/release/plc ...`), without a trailing `# comment`.
    static func plcArguments(_ text: String) -> [String]? {
        var words = split(text.trimmingCharacters(in: .whitespaces))
        if words.first == "$" || words.first == "sudo" { words.removeFirst() }
        if words.starts(with: ["swift", "run"]) {
            guard let at = words.firstIndex(of: "plc") else { return nil }
            words.removeFirst(at)
        }
        guard let first = words.first, first == "plc" || first.hasSuffix("/plc") else { return nil }
        words.removeFirst()
        if let comment = words.firstIndex(where: { $0.hasPrefix("#") }) { words.removeLast(words.count - comment) }
        // `plc <command> --help` and the like describe the syntax rather than run it.
        guard !words.isEmpty, !words.contains(where: { $0.hasPrefix("<") && $0.hasSuffix(">") && $0 != "<program>" }) else {
            return nil
        }
        if words.contains(where: { $0.contains("|") || $0 == "..." || $0.hasPrefix("[") }) { return nil }
        return words
    }

    /// Splits a shell command line into words: blanks separate, quotes group, a backslash escapes.
    static func split(_ line: String) -> [String] {
        var words: [String] = [], word = "", quote: Character?, inWord = false, escaped = false
        for character in line {
            if escaped { word.append(character); escaped = false; continue }
            if character == "\\" && quote != "'" { escaped = true; inWord = true; continue }
            if let open = quote {
                if character == open { quote = nil } else { word.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character; inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(word); word = ""; inWord = false }
            } else {
                word.append(character); inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }

    @Test func splitsLikeAShell() {
        #expect(Self.split("plc run 'a b' \"c d\" e\\ f") == ["plc", "run", "a b", "c d", "e f"])
        #expect(Self.plcArguments("swift run -c release plc bench   # one run") == ["bench"])
        #expect(Self.plcArguments("plc <command> --help") == nil)
        #expect(Self.plcArguments("scripts/setup") == nil)
    }

    @Test func everyCommandShownParses() throws {
        var commands: [Command] = []
        for page in try Self.pages() { commands += try Self.commands(in: page) }
        #expect(commands.count >= 40, "the README and docs show at least 40 plc commands, found \(commands.count)")
        var failures: [String] = []
        for command in commands {
            let result = try PLCCommand.run(command.arguments, environment: ["PLC_PARSE_ONLY": "1"])
            // Prose may name a command or option without its arguments (`plc check`, `plc report
            // --tariff`), never a wrong one.
            if command.inline && (result.stderr.contains("Missing expected argument") || result.stderr.contains("Missing value for")) {
                continue
            }
            if result.status != 0 {
                failures.append("\(command)\n    \(result.stderr.split(separator: "\n").first ?? "exit \(result.status)")")
            }
        }
        #expect(failures.isEmpty, "commands in the docs that no longer parse:\n\(failures.joined(separator: "\n"))")
    }

    @Test func aBrokenCommandIsCaught() throws {
        // The check itself can fail: an option the tool does not have is refused.
        let result = try PLCCommand.run(["run", "programs/blinker", "--no-such-option"], environment: ["PLC_PARSE_ONLY": "1"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--no-such-option"))
    }

    @Test func everyRelativeLinkPointsAtAFile() throws {
        var broken: [String] = []
        let link = try NSRegularExpression(pattern: #"\]\(([^)#\s]+)(#[^)]*)?\)"#)
        for page in try Self.pages() {
            let text = try String(contentsOf: page, encoding: .utf8)
            for match in link.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                let target = String(text[range])
                if target.contains("://") || target.hasPrefix("mailto:") { continue }
                let url = page.deletingLastPathComponent().appendingPathComponent(target)
                if !FileManager.default.fileExists(atPath: url.path) { broken.append("\(page.lastPathComponent): \(target)") }
            }
        }
        #expect(broken.isEmpty, "links to missing files: \(broken)")
    }

    @Test func theIndexListsEveryPage() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", PLCCommand.root.appendingPathComponent("scripts/docs-index").path, "--check"]
        let err = Pipe()
        process.standardError = err
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(message)")
    }
}
