import PLCCore
import PLCGraph
import Testing

/// The parse errors of program text (empty when it parses).
private func parseErrors(_ text: String) -> [SourceError] {
    do {
        _ = try ProgramLoader.parse(text, path: "p.yaml", enums: [:])
        return []
    } catch {
        return error.errors
    }
}

@Suite("YAML composer: libyaml events to nodes, alias-heavy documents refused")
struct YAMLComposerTests {
    @Test("aliases used as mapping keys are refused at their line (they hung the Yams loader for minutes)")
    func aliasKeys() {
        // Seven levels, each mapping keyed by the level below: 490 bytes that took Yams minutes.
        var text = "l0: &l0 {a: 1, b: 2, c: 3}\n"
        for level in 1...7 {
            text += "l\(level): &l\(level) {*l\(level - 1): *l\(level - 1), ? *l\(level - 1) : x}\n"
        }
        let found = parseErrors(text)
        #expect(found.count == 1 && found.first?.line == 2
                && found.first?.message.contains("alias cannot be a mapping key") == true, "\(found)")
    }

    @Test("aliases that expand into a huge tree (a billion laughs) are refused at the line that crosses the limit")
    func billionLaughs() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for (name, previous) in [("b", "a"), ("c", "b"), ("d", "c"), ("e", "d"), ("f", "e"), ("g", "f")] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let found = parseErrors(text)
        #expect(found.count == 1 && found.first?.line == 5
                && found.first?.message.contains("past 100000 nodes") == true, "\(found)")
    }

    @Test("more than 100 aliases are refused at the 101st")
    func aliasCount() {
        let text = "a: &a 1\nb:\n" + String(repeating: "  - *a\n", count: 150)
        let found = parseErrors(text)
        #expect(found.count == 1 && found.first?.line == 103
                && found.first?.message.contains("too many YAML aliases") == true, "\(found)")
    }

    @Test("an alias used as a value still works: two variables share one initial value")
    func aliasValue() throws {
        let file = try ProgramLoader.parse("""
            program: t
            variables:
              - {scope: VAR, name: A, type: TIME, initial: &delay T#1500ms}
              - {scope: VAR, name: B, type: TIME, initial: *delay}
            """, path: "p.yaml", enums: [:])
        #expect(file.variables.map(\.decl.name) == ["A", "B"])
        #expect(file.variables.map(\.decl.initial) == [.time(1500), .time(1500)])
        #expect(file.variables.map(\.line) == [3, 4])
    }

    @Test("malformed structure gets a file:line error, never a crash", arguments: [
        ("x: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n", 1, "nesting deeper than 64"),
        ("program: t\nblocks: *nope\n", 2, "names no anchor"),
        ("program: t\n---\nprogram: u\n", 2, "one YAML document"),
        ("program: t\nblocks: {a: 1\n", 3, "YAML syntax error: while parsing a flow mapping"),
        ("program: t\n? [a, b]\n: 1\n", 2, "mapping key must be a single value"),
        ("program: t\nblocks:\n  - {name: a\u{0}}\n", 3, "YAML syntax error: control characters are not allowed"),
        ("program: t\nprogram: u\n", 2, "a key appears twice in this mapping: program"),
    ])
    func malformed(text: String, line: Int, message: String) {
        let found = parseErrors(text)
        #expect(found.count == 1 && found.first?.line == line && found.first?.message.contains(message) == true,
                "\(found)")
    }

    @Test("an empty file says so")
    func empty() {
        for text in ["", "# only a comment\n"] {
            let found = parseErrors(text)
            #expect(found.count == 1 && found.first?.message == "file is empty", "\(found)")
        }
    }
}
