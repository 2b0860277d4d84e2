import Foundation
import PLCBlocks
import PLCCore
import PLCGraph
import PLCRuntime
import Testing

@Suite("Cyclic task")
struct ExecutorTests {
    static func blinker() throws -> (ProgramFile, CompiledProgram) {
        let path = Fixtures.programs.appendingPathComponent("blinker").path
        let file = try ProgramLoader.load(path, enums: BlockLibrary.standard.enumerations)
        return (file, try ProgramCompiler.compile(file, library: .standard))
    }

    @Test("a string wire carries every change, and an unchanged string (the same storage) stays as it is")
    func stringWires() throws {
        // CONCAT's inputs are wired from variables by string copies; a scan skips the copy when the
        // pin already holds the same string, so every change must still arrive, in every length.
        let program = try compile("""
            program: s
            variables:
              - {scope: VAR, name: Folder, type: STRING, initial: csv}
              - {scope: VAR, name: Joined, type: STRING}
            blocks:
              - {name: j, type: CONCAT, inputs: {STR1: Folder, STR2: /Office}, outputs: {OUT: Joined}}
            """)
        let long = String(repeating: "/mnt/usb-stick", count: 4)
        for (folder, expected) in [("csv", "csv/Office"), ("csv", "csv/Office"), (long, long + "/Office"), (long, long + "/Office"),
                                   ("", "/Office"), ("a\u{e9}", "a\u{e9}/Office"), (long + "x", long + "x/Office")] {
            try program.setValue(.string(folder), of: "Folder")
            for _ in 0..<2 {
                program.scan(ScanContext())
                #expect(program.value(of: "j.STR1") == .string(folder))
                #expect(program.value(of: "Joined") == .string(expected))
            }
        }
    }

    /// The blinker on a manual clock, scan by scan:
    ///
    ///     t (ms)     0 ....... 500 ........ 1000 1010 1020 ...... 1520 ....... 2020 2030
    ///     offTimer   timing    Q            Q    -    timing      Q            Q    -
    ///     onTimer    -         timing       Q    -    -           timing       Q    -
    ///     Lamp       FALSE     TRUE ........TRUE FALSE FALSE      TRUE .......TRUE FALSE
    @Test("timers, edges and a counter give exactly the expected values scan by scan")
    func blinkerScanByScan() throws {
        let (file, program) = try Self.blinker()
        let clock = ManualClock()
        let task = CyclicTask(program: program, settings: file.task, clock: clock)
        var lampChanges: [(Int64, Bool)] = []
        var blinksAt: [Int64: Int64] = [:]
        var lamp = false
        for _ in 0..<520 {
            task.step()
            let t = task.elapsedMilliseconds
            let now = program.value(of: "Lamp")!.bool
            if now != lamp { lampChanges.append((t, now)); lamp = now }
            blinksAt[t] = program.value(of: "Blinks")!.int
        }
        let expected: [(Int64, Bool)] = [(500, true), (1010, false), (1520, true), (2030, false), (2540, true),
                                         (3050, false), (3560, true), (4070, false), (4580, true), (5090, false)]
        #expect(lampChanges.map(\.0) == expected.map(\.0))
        #expect(lampChanges.map(\.1) == expected.map(\.1))
        #expect(blinksAt[499] == nil && blinksAt[490] == 0 && blinksAt[500] == 1 && blinksAt[1520] == 2)
        #expect(program.value(of: "Done") == .bool(true))         // 5 blinks by t = 4580
        #expect(blinksAt[4570] == 4 && blinksAt[4580] == 5)
        #expect(task.elapsedMilliseconds == 5190)
        #expect(program.value(of: "offTimer.ET") == .time(90))   // restarted at 5100
    }

    @Test("the same program on the same clock gives the same trace every time")
    func deterministic() throws {
        func trace() throws -> [IECValue] {
            let (file, program) = try Self.blinker()
            let task = CyclicTask(program: program, settings: file.task, clock: ManualClock())
            return (0..<300).map { _ in task.step(); return program.value(of: "offTimer.ET")! }
        }
        #expect(try trace() == trace())
    }

    /// The blinker plus a `Burn` block that makes each scan take `Work` on the manual clock.
    static func burning(_ clock: ManualClock, _ configure: (inout ProgramFile.Task) -> Void = { _ in })
        throws -> (CyclicTask<ManualClock>, CompiledProgram) {
        var library = BlockLibrary.standard
        library.add(Burn.self)
        var file = try ProgramLoader.parse("""
            program: burner
            task: {interval: T#10ms}
            variables:
              - {scope: VAR, name: Work, type: TIME}
            blocks:
              - {name: burn, type: Burn, inputs: {tWork: Work}}
            """, path: "burner.yaml", enums: [:])
        configure(&file.task)
        let program = try ProgramCompiler.compile(file, library: library)
        (program.instances[0].block as! Burn).clock = clock
        return (CyclicTask(program: program, settings: file.task, clock: clock), program)
    }

    @Test("deadlines are absolute: a slow scan does not shift later starts")
    func noDrift() throws {
        let clock = ManualClock(start: 5_000)
        let (task, program) = try Self.burning(clock)
        try program.setValue(.time(3), of: "Work")
        task.run(cycles: 10)
        #expect(clock.sleeps == (0..<10).map { 5_000 + Int64($0) * 10_000_000 })
        #expect(task.statistics.overruns == 0)
        #expect(task.statistics.max == 3_000_000 && task.statistics.min == 3_000_000)
    }

    @Test("an overrun skips to the next on-time start, or catches up, as the task says")
    func overrunPolicies() throws {
        for policy in ProgramFile.OverrunPolicy.allCases {
            let clock = ManualClock()
            let (task, program) = try Self.burning(clock) { $0.overrun = policy }
            try program.setValue(.time(25), of: "Work")
            task.step()                   // scan 0 starts at 0 and takes 25 ms: starts at 10 and 20 are late
            try program.setValue(.time(0), of: "Work")
            task.run(cycles: 3)
            switch policy {
            case .skip:
                #expect(clock.sleeps == [0, 30_000_000, 40_000_000, 50_000_000])
                #expect(task.statistics.overruns == 1 && task.statistics.skipped == 2)
            case .catchUp:
                // Scan 1 starts late at 25 ms and ends after scan 2 was due at 20 ms: a second overrun.
                #expect(clock.sleeps == [0, 10_000_000, 20_000_000, 30_000_000])
                #expect(task.statistics.overruns == 2 && task.statistics.skipped == 0)
                #expect(task.statistics.maxJitter == 15_000_000)
            }
        }
    }

    @Test("the watchdog trips on watchdog x sensitivity, or on sensitivity slow scans in a row")
    func watchdog() throws {
        let clock = ManualClock()
        let (task, program) = try Self.burning(clock) {
            $0.interval = 100
            $0.watchdog = 5
            $0.sensitivity = 2
        }
        var trips: [Int64] = []
        task.onWatchdog = { trips.append($0) }
        for ms in [6, 1, 6, 6, 11, 1] as [Int64] {
            try program.setValue(.time(ms), of: "Work")
            task.step()
        }
        // The second of two 6 ms scans in a row, then one 11 ms scan (> 5 ms x 2).
        #expect(trips == [6_000_000, 11_000_000])
        #expect(task.statistics.watchdogTrips == 2)
    }
}

/// A test block whose scan takes `tWork` on a manual clock.
final class Burn: FunctionBlock {
    static let interface = VarTable("Burn", [.input("tWork", .time)])
    var tWork: Int64 = 0
    var clock: ManualClock?

    init() {}

    func execute(_ context: ScanContext) {
        clock?.advance(ms: tWork)
    }

    subscript(pin pin: Int) -> IECValue {
        get { .time(tWork) }
        set { tWork = newValue.time }
    }
}
