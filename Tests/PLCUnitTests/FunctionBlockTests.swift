import Foundation
import PLCApp
import PLCCore
import PLCGraph
import PLCMeters
import PLCModbus
import PLCRuntime
import PLCStorage
import Testing

/// FBD function blocks: files found beside a program, flattened into its schedule, monitored by path.
@Suite("FBD function blocks")
struct FunctionBlockTests {
    /// A scratch folder holding `files` (name -> text).
    static func folder(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-fbd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            let path = dir + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return dir
    }

    static func compile(_ dir: String) throws -> CompiledProgram {
        let file = try ProgramLoader.load(dir, enums: Fixtures.library.enumerations)
        return try ProgramCompiler.compile(file, library: Fixtures.library)
    }

    /// Pulse: a self-resetting TON that counts its pulses (a CTU); Pair nests two Pulses.
    static let pulse = """
        function_block: Pulse
        variables:
          - {scope: VAR_INPUT, name: tPeriod, type: TIME, initial: T#100ms}
          - {scope: VAR_INPUT, name: xEnable, type: BOOL, initial: TRUE}
          - {scope: VAR_OUTPUT, name: xQ, type: BOOL}
          - {scope: VAR_OUTPUT, name: wCount, type: WORD}
        blocks:
          - name: gate
            type: AND
            inputs: {IN1: xEnable, IN2: {from: NOT timer.Q, feedback: true}}
          - name: timer
            type: TON
            inputs: {IN: gate.OUT, PT: tPeriod}
            outputs: {Q: xQ}
          - name: counter
            type: CTU
            inputs: {CU: timer.Q, PV: 1000}
            outputs: {CV: wCount}
        """

    static let pair = """
        function_block: Pair
        variables:
          - {scope: VAR_INPUT, name: tFast, type: TIME, initial: T#50ms}
          - {scope: VAR_OUTPUT, name: wFast, type: WORD}
          - {scope: VAR_OUTPUT, name: wSlow, type: WORD}
        blocks:
          - name: fast
            type: Pulse
            inputs: {tPeriod: tFast}
            outputs: {wCount: wFast}
          - name: slow
            type: Pulse
            inputs: {tPeriod: T#200ms, xEnable: fast.xQ}
            outputs: {wCount: wSlow}
        """

    @Test("an FB nested in an FB: flattened by path, counts as the blocks written out, monitored by path")
    func nested() throws {
        let dir = try Self.folder([
            "Pulse.yaml": Self.pulse,
            "blocks/Pair/Pair.yaml": Self.pair,
            "program.yaml": """
                program: nested
                task: {interval: T#10ms}
                variables:
                  - {scope: VAR, name: Fast, type: WORD}
                blocks:
                  - name: pair
                    type: Pair
                    inputs: {tFast: T#30ms}
                    outputs: {wFast: Fast}
                """,
        ])
        let program = try Self.compile(dir)
        #expect(program.instances.map(\.name) == ["pair.fast.gate", "pair.fast.timer", "pair.fast.counter",
                                                   "pair.slow.gate", "pair.slow.timer", "pair.slow.counter"])
        #expect(program.file.functionBlocks?.definitions.map(\.name) == ["Pulse", "Pair"])
        // The same blocks written out by hand, run side by side: every value equal, scan by scan.
        let flat = try Self.folder(["program.yaml": """
            program: flat
            task: {interval: T#10ms}
            variables:
              - {scope: VAR, name: Fast, type: WORD}
            blocks:
              - {name: fgate, type: AND, inputs: {IN1: TRUE, IN2: {from: NOT ftimer.Q, feedback: true}}}
              - {name: ftimer, type: TON, inputs: {IN: fgate.OUT, PT: T#30ms}}
              - {name: fcounter, type: CTU, inputs: {CU: ftimer.Q, PV: 1000}, outputs: {CV: Fast}}
              - {name: sgate, type: AND, inputs: {IN1: ftimer.Q, IN2: {from: NOT stimer.Q, feedback: true}}}
              - {name: stimer, type: TON, inputs: {IN: sgate.OUT, PT: T#200ms}}
              - {name: scounter, type: CTU, inputs: {CU: stimer.Q, PV: 1000}}
            """])
        let reference = try Self.compile(flat)
        let clock = ManualClock()
        let task = CyclicTask(program: program, settings: program.file.task, clock: clock)
        let referenceTask = CyclicTask(program: reference, settings: reference.file.task, clock: ManualClock())
        for scan in 0..<100 {
            task.step()
            referenceTask.step()
            #expect(program.value(of: "Fast") == reference.value(of: "Fast"), "scan \(scan)")
            #expect(program.value(of: "pair.slow.timer.ET") == reference.value(of: "stimer.ET"), "scan \(scan)")
        }
        let fast = try #require(program.value(of: "Fast"))
        #expect(fast.int > 10, "\(fast)")
        #expect(fast == program.value(of: "pair.fast.counter.CV"))
        #expect(fast == program.value(of: "pair.wFast"))
        #expect(program.value(of: "pair.fast.timer.PT") == .time(30))
    }

    @Test("a recursive FB is refused with file:line")
    func recursive() throws {
        let dir = try Self.folder([
            "A.yaml": "function_block: A\nblocks:\n  - name: b\n    type: B\n",
            "B.yaml": "function_block: B\nvariables:\n  - {scope: VAR_INPUT, name: x, type: BOOL}\nblocks:\n  - name: again\n    type: A\n",
            "program.yaml": "program: p\nblocks:\n  - name: a\n    type: A\n",
        ])
        do {
            _ = try ProgramLoader.load(dir, enums: [:])
            Issue.record("a recursive function block was accepted")
        } catch {
            #expect(error.description == "\(dir)/B.yaml:5: function block A uses itself: A -> B -> A", "\(error)")
        }
    }

    @Test("a mistake inside an FB names the FB's file and line; a wrong pin on an instance names the program's")
    func errorsNameTheirFile() throws {
        let broken = Self.pulse.replacingOccurrences(of: "PT: tPeriod", with: "PT: xEnable")
        // A wrong pin on the instance is the program's line; a type mismatch inside is Pulse.yaml's.
        let cases = [("{tPeriod: T#1s, nope: TRUE}", "program.yaml:5: p1 (Pulse) has no input 'nope' (inputs: tPeriod, xEnable)"),
                     ("{tPeriod: T#1s}", "Pulse.yaml:13: type mismatch: p1.xEnable is BOOL but p1.timer.PT is TIME")]
        for (inputs, expected) in cases {
            let dir = try Self.folder([
                "Pulse.yaml": broken,
                "program.yaml": "program: p\nblocks:\n  - name: p1\n    type: Pulse\n    inputs: \(inputs)\n",
            ])
            #expect(throws: ProgramErrors.self) { try Self.compile(dir) }
            do {
                _ = try Self.compile(dir)
            } catch let error as ProgramErrors {
                #expect(error.errors.map(\.description) == ["\(dir)/\(expected)"])
            }
        }
    }

    // MARK: - site_main before and after

    /// Runs a site_main program file in virtual time against simulated meters (slave 3 silent for a
    /// while) and returns every CSV file and the error log, by relative path.
    static func runSite(_ programPath: String, dir: String) throws -> [String: String] {
        var file = try ProgramLoader.load(programPath, enums: Fixtures.library.enumerations)
        for set in ["CsvFolder=\(dir)/csv", "ErrorLogFile=\(dir)/site.log", "PollInterval=T#500ms", "LogInterval=T#1s"] {
            try file.apply(set: set)
        }
        let program = try ProgramCompiler.compile(file, library: Fixtures.library)
        try MeterSetup.configure(program, file: file, catalog: .standard(near: Fixtures.programs.appendingPathComponent("site_main").path))
        let clock = ManualClock(wallOrigin: 1_772_323_200_000, utcOffset: 0)
        clock.recordsSleeps = false
        let catalog = MeterCatalog.standard(near: Fixtures.programs.path)
        let meters = try [(1, "rx380"), (2, "rx380"), (3, "sdm630")].map { slave, model in
            SimulatedMeter(model: try catalog.load(model, file: "test", line: 0), slave: slave)
        }
        let silent = SilentSwitch()
        let bus = BusWorker(name: "rs485", settings: BusSettings(transport: .tcp(host: "simulated", port: 502))) { request in
            if request.slave == 3 && silent.on { return ModbusReply(registers: [], error: .timeout(), latency: 500_000_000) }
            switch meters[request.slave - 1].read(function: request.function, address: request.address, count: request.count,
                                                  seconds: silent.seconds) {
            case .success(let words): return ModbusReply(registers: words, error: nil, latency: 30_000_000)
            case .failure(let e): return ModbusReply(registers: [], error: .exception(e.code), latency: 30_000_000)
            }
        }
        for case let block as any BusBlock in program.instances.map(\.block) { block.attach(bus) }
        let storage = StorageIO(blocks: program.instances.map(\.block), earliest: ClockFloor.projectStart)
        storage.start()
        let task = CyclicTask(program: program, settings: file.task, clock: clock)
        for scan in 0..<150 {
            silent.on = (40..<90).contains(scan)
            silent.seconds = Double(clock.now()) / 1e9
            task.step()
            storage.writer.settle()     // the disk keeps up with virtual time
        }
        for block in program.ioBlocks { block.shutdown() }
        storage.stop()
        var result: [String: String] = [:]
        let fm = FileManager.default
        for path in fm.subpaths(atPath: dir) ?? [] where path.hasSuffix(".csv") || path.hasSuffix(".log") {
            result[path] = try String(contentsOfFile: dir + "/" + path, encoding: .utf8)
        }
        return result
    }

    final class SilentSwitch: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        private var time = 0.0
        var on: Bool {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue } }
        }
        /// The virtual time the simulated meters answer at.
        var seconds: Double {
            get { lock.withLock { time } }
            set { lock.withLock { time = newValue } }
        }
    }

    @Test("site_main with its Location FB writes the same CSV files, rows and log lines as the blocks written out")
    func siteMainBeforeAndAfter() throws {
        let before = try Self.folder([:]), after = try Self.folder([:])
        let written = try Self.runSite(Fixtures.root.appendingPathComponent("Tests/fixtures/site_main_written_out").path, dir: before)
        let withFB = try Self.runSite(Fixtures.programs.appendingPathComponent("site_main").path, dir: after)
        #expect(written.keys.sorted() == ["csv/Aircon/energy_2026-03-01.csv", "csv/Office/energy_2026-03-01.csv",
                                          "csv/Production/energy_2026-03-01.csv", "site.log"])
        #expect(written.keys.sorted() == withFB.keys.sorted())
        for (path, text) in written {
            #expect(withFB[path] == text, "\(path)")
        }
        let log = written["site.log"] ?? ""
        #expect(log.contains("site_main started") && log.contains("Aircon") && log.contains("site_main stopped"), "\(log)")
        #expect((written["csv/Office/energy_2026-03-01.csv"] ?? "").split(separator: "\n").count >= 14)
    }
}
