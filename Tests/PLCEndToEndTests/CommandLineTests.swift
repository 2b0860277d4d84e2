import Foundation
import Testing

@Suite("plc on the command line")
struct CommandLineTests {
    @Test("plc trace --check passes on every shipped vector file")
    func traceChecksVectors() throws {
        let blocks = PLCCommand.root.appendingPathComponent("blocks")
        var checked = 0
        for type in try FileManager.default.contentsOfDirectory(atPath: blocks.path).sorted() {
            let dir = blocks.appendingPathComponent(type).appendingPathComponent("vectors")
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".csv") {
                let result = try PLCCommand.run(["trace", type, "blocks/\(type)/vectors/\(file)", "--check"])
                #expect(result.status == 0, "\(type)/\(file): \(result.stderr)")
                #expect(result.stdout.hasPrefix("ok "))
                checked += 1
            }
        }
        #expect(checked >= 11)
    }

    @Test("plc trace --check exits 1 naming the mismatching row, pin, expected and actual value")
    func traceMismatch() throws {
        let original = try String(contentsOf: PLCCommand.root.appendingPathComponent("blocks/TON/vectors/ton_basic.csv"),
                                  encoding: .utf8)
        let path = try PLCCommand.programFolder("") + "/bad.csv"
        try original.replacingOccurrences(of: "210,,,TRUE,T#100ms", with: "210,,,FALSE,T#100ms")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try PLCCommand.run(["trace", "TON", path, "--check"])
        #expect(result.status == 1)
        #expect(result.stderr == "\(path):12: t_ms=210: Q expected FALSE, got TRUE\n")
    }

    @Test("a malformed vector file exits 2 with one line naming file, line and problem", arguments: [
        ("t_ms,IN,XX\n0,TRUE,1\n", ":1: unknown pin 'XX'"),
        ("t_ms,IN,PT\n0,TRUE,T#5x\n", ":2: column PT: 'T#5x' is not a TIME literal"),
        ("t_ms,IN,PT\n10,TRUE,T#5s\n9,TRUE,T#5s\n", ":3: t_ms 9 does not increase"),
        ("t_ms,IN,PT\n0,TRUE\n", ":2: expected 3 columns, found 2"),
    ])
    func malformedVectors(text: String, message: String) throws {
        let path = try PLCCommand.programFolder("") + "/v.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try PLCCommand.run(["trace", "TON", path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix(path + message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("plc check prints the variable table and execution order of the example")
    func checkExample() throws {
        let result = try PLCCommand.run(["check", "programs/blinker"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("VAR_GLOBAL  Done     BOOL  FALSE    TRUE from the 5th blink on"))
        #expect(result.stdout.contains("  1. offTimer  TON\n  2. onTimer   TON\n  3. lampOn    R_TRIG\n  4. counter   CTU\n"))
        #expect(result.stdout.contains("feedback (value of the previous scan): onTimer.Q -> offTimer.IN"))
    }

    @Test("plc check on bad programs exits 2 with file:line: message and no stack trace", arguments: [
        ("blocks:\n  - {name: a, type: TONN}\n", ":2: unknown block type 'TONN'"),
        ("blocks:\n  - {name: a, type: TON, inputs: {IN: TRUE, PX: T#1s}}\n", ":2: a (TON) has no input 'PX'"),
        ("blocks:\n  - {name: a, type: TON, inputs: {PT: T#1s}}\n", ":2: a (TON): required input IN is not connected"),
        ("blocks:\n  - {name: a, type: TON, inputs: {IN: T#1s}}\n", ":2: bad literal for a.IN : BOOL"),
        ("blocks:\n  - {name: a, type: TON, inputs: {IN: b.Q}}\n  - {name: b, type: TON, inputs: {IN: a.Q}}\n",
         ":2: loop in the graph: a -> b -> a"),
        ("blocks: [\n", ": YAML syntax error"),
    ])
    func checkBadPrograms(text: String, message: String) throws {
        let dir = try PLCCommand.programFolder(text)
        let result = try PLCCommand.run(["check", dir])
        #expect(result.status == 2)
        #expect(result.stderr.contains(dir + "/program.yaml" + message) || message.hasPrefix(": YAML")
                && result.stderr.contains("YAML syntax error"), "\(result.stderr)")
        #expect(!result.stderr.contains("Stack dump") && !result.stderr.contains("Fatal error"))
        #expect(result.stdout.isEmpty)
    }

    @Test("plc run with a bad --set exits 2 naming the argument")
    func badSet() throws {
        let result = try PLCCommand.run(["run", "programs/blinker", "--set", "OnTime=5s", "--cycles", "1"])
        #expect(result.status == 2)
        #expect(result.stderr == "--set OnTime=5s: OnTime : TIME: '5s' is not a TIME literal (expected e.g. T#1m30s or TIME#250ms)\n")
    }

    @Test("a bad bus setting is one clear line naming --set and the bus, and nothing else", arguments: [
        ("bus.baudrate=9600", "--set bus.baudrate=9600: bus meter: unknown setting 'baudrate' (settings: baud, "),
        ("bus.baud=fast", "--set bus.baud=fast: bus meter: baud 'fast' must be a whole number from 300 to 4000000"),
        ("bus.parity=X", "--set bus.parity=X: bus meter: parity 'X' must be N, E or O"),
        ("bus.responseTimeout=500", "--set bus.responseTimeout=500: bus meter: responseTimeout '500': '500' is not a TIME literal"),
    ])
    func badBusSetting(argument: String, message: String) throws {
        let result = try PLCCommand.run(["run", "programs/rx380_main", "--set", argument, "--cycles", "1"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test("plc run outlives a closed standard output: no SIGPIPE death, statistics still on stderr")
    func closedStdout() throws {
        let command = "'\(PLCCommand.executable.path)' run programs/blinker --cycles 150 --monitor Lamp | head -1; "
            + "echo \"status=${PIPESTATUS[0]}\" >&2"
        let process = try BackgroundProcess("/bin/bash", ["-c", command])
        process.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        #expect(process.output == ["cycle,t_ms,Lamp"])
        #expect(process.errorOutput.contains("status=0"), "\(process.errorOutput)")
        #expect(process.errorOutput.contains { $0.hasPrefix("scans        150 at T#10ms") })
    }

    @Test("plc run --monitor with an unknown name stops before anything starts")
    func badMonitor() throws {
        let result = try PLCCommand.run(["run", "programs/blinker", "--monitor", "Lamp,Lmap", "--cycles", "5"])
        #expect(result.status == 2)
        #expect(result.stderr == "--monitor: no variable or pin named 'Lmap'\n")
    }

    @Test("plc run --cycles runs the program and prints monitored values and statistics")
    func runCycles() throws {
        let result = try PLCCommand.run(["run", "programs/blinker", "--cycles", "60", "--set", "OffTime=T#200ms",
                                         "--monitor", "Lamp,Blinks"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "cycle,t_ms,Lamp,Blinks")
        #expect(lines.count == 61)
        // Real time: the lamp must come on about 200 ms in (20 scans of 10 ms), never before.
        let firstOn = lines.dropFirst().first { $0.hasSuffix(",TRUE,16#0001") }
        let t = firstOn.flatMap { Int($0.split(separator: ",")[1]) }
        #expect(t.map { $0 >= 200 } == true, "\(firstOn ?? "lamp never came on")")
        #expect(result.stderr.contains("scans        60 at T#10ms"))
    }
}

@Suite("plc bench")
struct BenchTests {
    @Test("a steady-state scan allocates nothing, and the graph agrees with its hand-written twin")
    func zeroAllocations() throws {
        let result = try PLCCommand.run(["bench", "--scans", "2000", "--jitter-seconds", "0"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("allocations   0.000 per steady-state scan (0 in 100000 scans)"), "\(result.stdout)")
        #expect(result.stdout.contains("hand-written Swift"))
        #expect(result.stdout.contains(": ratio "))
    }
}
