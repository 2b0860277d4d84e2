import Foundation
import PLCBlocks
import PLCCore
import PLCGraph
import Testing

/// Compiles program text (a whole program.yaml) against the standard library.
func compile(_ text: String, path: String = "test.yaml") throws -> CompiledProgram {
    let file = try ProgramLoader.parse(text, path: path, enums: Fixtures.library.enumerations)
    return try ProgramCompiler.compile(file, library: Fixtures.library)
}

/// The errors compiling `text` reports (empty when it compiles).
func errors(_ text: String) -> [SourceError] {
    do {
        _ = try compile(text)
        return []
    } catch let e as ProgramErrors {
        return e.errors
    } catch {
        return [SourceError(file: "?", line: nil, "\(error)")]
    }
}

@Suite("Program files: validation")
struct ProgramValidationTests {
    /// A valid base: two timers; each case below breaks it in one way.
    static let header = """
        program: t
        variables:
          - {scope: VAR, name: Start, type: BOOL}
          - {scope: VAR, name: Delay, type: TIME, initial: T#1s}
          - {scope: VAR, name: Count, type: WORD}
        blocks:

        """

    @Test("each kind of mistake is reported at its line with a clear message", arguments: [
        ("  - {name: a, type: TONN, inputs: {IN: Start}}", 7, "unknown block type 'TONN'"),
        ("  - {name: a, type: TON, inputs: {IN: Start, XT: T#1s}}", 7, "a (TON) has no input 'XT' (inputs: IN, PT)"),
        ("  - name: a\n    type: TON\n    inputs:\n      IN: Start\n      in: Start", 11, "a.IN is fed twice (also on line 10)"),
        ("  - {name: a, type: TON, inputs: {IN: Start, PT: Count}}", 7, "type mismatch: Count is WORD but a.PT is TIME"),
        ("  - {name: a, type: TON, inputs: {PT: Delay}}", 7, "a (TON): required input IN is not connected"),
        ("  - {name: a, type: TON, inputs: {IN: Stat}}", 7, "unknown variable 'Stat' feeding a.IN"),
        ("  - {name: a, type: TON, inputs: {IN: Start, PT: T#5x}}", 7, "bad literal for a.PT : TIME"),
        ("  - {name: a, type: TON, inputs: {IN: b.Q}}\n  - {name: b, type: TON, inputs: {IN: a.Q}}", 7,
         "loop in the graph: a -> b -> a; mark one wire in it as feedback"),
        ("  - {name: a, type: TON, inputs: {IN: Start}, outputs: {Q: Nope}}", 7, "unknown variable 'Nope'"),
        ("  - {name: a, type: TON, inputs: {IN: Start}, outputs: {ET: Count}}", 7,
         "type mismatch: a.ET is TIME but variable Count is WORD"),
        ("  - {name: a, type: TON, inputs: {IN: Start}}\n  - {name: a, type: TP, inputs: {IN: Start}}", 8,
         "block a is declared twice"),
        ("  - {name: a, type: TON, inputs: {IN: c.Q}}", 7, "unknown block 'c' in 'c.Q'"),
        ("  - {name: a, type: TON, inputs: {IN: Start}}\n  - {name: b, type: TON, inputs: {IN: a.QQ}}", 8,
         "a (TON) has no output 'QQ' (outputs: Q, ET)"),
        ("  - {name: a, type: TON, inputs: {IN: NOT Delay}}", 7, "type mismatch: Delay is TIME but a.IN is BOOL"),
        ("  - {name: a, type: TON, inputs: {IN: Start, PT: NOT Delay}}", 7, "NOT applies to BOOL only"),
        ("  - {name: a, tipe: TON}", 7, "unknown key 'tipe' in a block"),
        ("  - name: c\n    type: CSVLogger\n    inputs:\n      xExecute: Start\n      alrValues[1]: 1.0\n      alrValues: '[1.0]'",
         12, "c.alrValues is fed twice (also on line 11)"),
        ("  - name: c\n    type: CSVLogger\n    inputs:\n      xExecute: Start\n      alrValues: '[1.0]'\n      alrValues[1]: 1.0",
         12, "c.alrValues[1] is fed twice (also on line 11)"),
    ])
    func mistake(block: String, line: Int, message: String) {
        let found = errors(Self.header + block + "\n")
        #expect(found.contains { $0.line == line && $0.message.contains(message) },
                "expected line \(line): \(message); got \(found.map(\.description))")
    }

    @Test("every error in a file is reported, not only the first")
    func allErrors() {
        let found = errors(Self.header + """
              - {name: a, type: TONN}
              - {name: b, type: TON, inputs: {PT: Delay}}
              - {name: c, type: TON, inputs: {IN: Nope}}
            """)
        #expect(found.map(\.line) == [7, 8, 9], "\(found.map(\.description))")
    }

    @Test("a YAML syntax error names its line")
    func yamlSyntax() {
        let found = errors("program: t\nblocks:\n  - {name: a, type: TON\n")
        #expect(found.count == 1 && found[0].line != nil && found[0].message.contains("YAML syntax error"),
                "\(found.map(\.description))")
    }

    @Test("a key written twice in a mapping is an error with a line, not the last one silently winning")
    func duplicateKey() {
        let found = errors("program: t\nblocks:\n  - name: a\n    type: TON\n    inputs:\n      IN: TRUE\n      IN: FALSE\n")
        #expect(found.count == 1 && found[0].line != nil
                && found[0].message.contains("a key appears twice in this mapping: IN"), "\(found.map(\.description))")
    }

    @Test("a wire marked as feedback breaks the loop and reads the previous scan's value")
    func feedback() throws {
        let program = try compile(Self.header + """
              - {name: a, type: R_TRIG, inputs: {CLK: {from: NOT b.Q1, feedback: true}}}
              - {name: b, type: SR, inputs: {SET1: a.Q, RESET: FALSE}}
            """)
        #expect(program.order.map { program.instances[$0].name } == ["a", "b"])
        #expect(program.feedbackWires == ["b.Q1 -> a.CLK"])
    }

    @Test("a diamond's execution order follows the data flow and is the same every time")
    func diamond() throws {
        // d needs b and c, which both need a; declared in a scrambled order.
        let text = Self.header + """
              - {name: d, type: SR, inputs: {SET1: b.Q, RESET: c.Q}}
              - {name: c, type: R_TRIG, inputs: {CLK: a.Q}}
              - {name: b, type: R_TRIG, inputs: {CLK: a.Q}}
              - {name: a, type: TON, inputs: {IN: Start, PT: Delay}}
            """
        let orders = try (0..<5).map { _ in
            let p = try compile(text)
            return p.order.map { p.instances[$0].name }
        }
        #expect(orders.allSatisfy { $0 == ["a", "c", "b", "d"] }, "\(orders)")
    }

    @Test("a variable written by one block and read by another orders the writer first")
    func variableOrdering() throws {
        let delayReader = try compile(Self.header + """
              - {name: second, type: TON, inputs: {IN: Start, PT: Delay}}
              - {name: first, type: TON, inputs: {IN: TRUE, PT: T#1s}, outputs: {ET: Delay}}
            """)
        #expect(delayReader.order.map { delayReader.instances[$0].name } == ["first", "second"])
    }
}

@Suite("Program files: --set")
struct SetOverrideTests {
    static let text = """
        program: t
        buses:
          meter: {kind: rtu, device: /dev/ttyUSB0}
        variables:
          - {scope: VAR, name: LogInterval, type: TIME, initial: T#5m}
        """

    @Test("a variable's initial value and a bus setting can be overridden")
    func good() throws {
        var file = try ProgramLoader.parse(Self.text, path: "p.yaml", enums: [:])
        try file.apply(set: "LogInterval=T#10s")
        try file.apply(set: "bus.device=/dev/ttyUSB1")
        try file.apply(set: "bus.meter.baud=9600")
        #expect(file.variables[0].decl.initial == .time(10_000))
        #expect(file.buses[0].value("device") == "/dev/ttyUSB1")
        #expect(file.buses[0].value("baud") == "9600")
    }

    @Test("bad --set arguments are one-line errors naming the argument", arguments: [
        ("LogIntervall=T#10s", "no program variable 'LogIntervall' (variables: LogInterval)"),
        ("LogInterval=10s", "LogInterval : TIME: '10s' is not a TIME literal"),
        ("LogInterval", "expected NAME=VALUE"),
        ("=5", "expected NAME=VALUE"),
    ])
    func bad(argument: String, message: String) throws {
        var file = try ProgramLoader.parse(Self.text, path: "p.yaml", enums: [:])
        #expect {
            try file.apply(set: argument)
        } throws: { error in
            let e = error as? SourceError
            return e?.file == "--set \(argument)" && e?.message.contains(message) == true
        }
    }
}
