import ArgumentParser
import CAllocCounter
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCBlocks
import PLCCore
import PLCGraph
import PLCApp
import PLCModbus
import PLCRuntime

/// `plc bench`: scan time against hand-written Swift, allocations per scan, and start jitter.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure scan time, heap allocations per scan and start jitter, in one run.",
        discussion: """
            Without a program it measures programs/blinker and its hand-written Swift twin and prints \
            their ratio. Build with -c release for meaningful figures: swift run -c release plc bench
            """
    )

    @Argument(help: "Program folder to measure (default: programs/blinker, with its hand-written twin).")
    var program: String?

    @Option(help: "A second program timed in the same rounds (e.g. the blocks of an FBD function block written out); prints the ratio.")
    var against: String?

    @Option(help: "Scans per timing round.")
    var scans = 200_000

    @Option(help: "Seconds of real 10 ms task for the jitter figure (0 skips it).")
    var jitterSeconds = 3.0

    @Flag(help: "Also poll programs/rx380_main against the built-in simulator: requests per poll and poll time.")
    var modbus = false

    func run() throws {
        let path = program ?? "programs/blinker"
        let loading = ProgramLoading(library: .all)
        let file = try loading.load(path)
        let setup = try loading.setup(file)
        let compiled = setup.program
        emit("plc bench: \(file.name), \(compiled.instances.count) blocks, \(compiled.stepCount) steps per scan\n")

        var graphRounds: [Double] = []
        var handRounds: [Double] = []
        let twin = program == nil ? BlinkerTwin() : nil
        let probe = try another(setup)
        let other = try against.map { try ProgramLoading(library: .all).load($0) }.map { try loading.setup($0).program }
        var otherRounds: [Double] = []
        for round in 0..<5 {
            // With --against, the two programs take turns going first: the first of a pair runs slower.
            if let other, round % 2 == 1 { otherRounds.append(Self.nanosecondsPerScan(scans) { other.scan($0) }) }
            graphRounds.append(Self.nanosecondsPerScan(scans) { probe.scan($0) })
            if let other, round % 2 == 0 { otherRounds.append(Self.nanosecondsPerScan(scans) { other.scan($0) }) }
            if let twin { handRounds.append(Self.nanosecondsPerScan(scans) { twin.scan($0) }) }
        }
        let graph = Self.best(graphRounds)
        var line = "scan time     graph \(Self.format(graph)) ns/scan (\(Self.format(graph / Double(compiled.instances.count))) ns/block)"
        if let twin {
            let hand = Self.best(handRounds)
            try Self.checkSameResults(twin: twin, program: probe)
            line += ", hand-written Swift \(Self.format(hand)) ns/scan: ratio \(String(printf: "%.2f", graph / hand))x"
        }
        if let other {
            let best = Self.best(otherRounds)
            line += "\nagainst       \(other.name) (\(other.instances.count) blocks, \(other.stepCount) steps) \(Self.format(best)) ns/scan:"
                + " ratio \(String(printf: "%.3f", graph / best))x"
        }
        emit(line + "\n")

        // Allocations in a steady state: warm up, then count over many scans.
        let counted = try another(setup)
        for i in 0..<1_000 { counted.scan(ScanContext(time: Int64(i) * 10, cycle: UInt64(i))) }
        let steady = 100_000
        alloc_counter_start()
        for i in 1_000..<(1_000 + steady) { counted.scan(ScanContext(time: Int64(i) * 10, cycle: UInt64(i))) }
        let allocations = alloc_counter_stop()
        emit("allocations   \(String(printf: "%.3f", Double(allocations) / Double(steady))) per steady-state scan "
             + "(\(allocations) in \(steady) scans)\n")

        try benchRetain(loading, file)
        if jitterSeconds > 0 {
            let live = try another(setup)
            var task = file.task
            task.interval = 10
            let cyclic = CyclicTask(program: live, settings: task, clock: SystemClock())
            cyclic.run(cycles: UInt64(jitterSeconds * 100))
            let s = cyclic.statistics
            emit("start jitter  10 ms task for \(s.cycles) scans: p50 \(Self.micro(s.jitterPercentile(0.5))), "
                 + "p99 \(Self.micro(s.jitterPercentile(0.99))), max \(Self.micro(s.maxJitter)); overruns \(s.overruns)\n")
        }
        if modbus { try benchModbusPoll(loading) }
    }

    /// One more instance of the program, set up as the first one.
    private func another(_ setup: ProgramSetup) throws -> CompiledProgram {
        do {
            return try setup.another()
        } catch {
            throw fail(error)
        }
    }

    /// Runs rx380_main against the in-process simulator and reports requests per poll and poll time.
    private func benchModbusPoll(_ loading: ProgramLoading) throws {
        let file = try loading.load("programs/rx380_main", sets: ["PollInterval=T#100ms"])
        let wire = try? BusSettings.parse(file.buses[0], file: file.path)
        let runtime: RuntimeAssembly
        do {
            runtime = try RuntimeAssembly(file: file, library: loading.library, simulate: true)
        } catch {
            throw fail(error)
        }
        defer { runtime.stop() }
        let program = runtime.program, io = runtime.modbus, simulator = runtime.simulator!
        let task = CyclicTask(program: program, settings: file.task, clock: SystemClock())
        var polls = 0
        var wasBusy = false
        task.run(cycles: 60, afterScan: {
            let busy = program.value(of: "readMain.xBusy") == .bool(true)
            if busy && !wasBusy { polls += 1 }
            wasBusy = busy
        })
        let counters = io.workers.values.first!.counters(slave: 1)
        let count = Int(program.value(of: "readMain.uiQuantity")!.int)
        let requestsPerPoll = Double(simulator.requestCount) / Double(max(polls, 1))
        emit("modbus poll   rx380_main: \(String(printf: "%.2f", requestsPerPoll)) requests per full poll "
             + "(\(simulator.requestCount) requests in \(polls) polls, \(count) registers each)\n")
        var line = "poll time     \(String(printf: "%.2f", Double(counters.averageLatency) / 1e6)) ms per poll on loopback TCP"
        if let wire {
            // RTU frames: request 8 bytes; reply 5 + 2 per register. Plus the silent interval before each.
            let frames = wire.wireTime(bytes: 8) + wire.wireTime(bytes: 5 + 2 * count)
            let gaps = 2 * wire.frameGap
            line += "; on the wire at \(wire.summary)" + String(printf: ": %.1f ms frames + %.1f ms silent intervals = %.1f ms",
                           Double(frames) / 1000, Double(gaps) / 1000, Double(frames + gaps) / 1000)
        }
        emit(line + "\n")
    }

    /// Mean ns per scan over `scans` scans with 10 ms of virtual time between them.
    static func nanosecondsPerScan(_ scans: Int, _ body: (ScanContext) -> Void) -> Double {
        let clock = SystemClock()
        let start = clock.now()
        for i in 0..<scans { body(ScanContext(time: Int64(i) * 10, cycle: UInt64(i))) }
        return Double(clock.now() - start) / Double(scans)
    }

    /// The graph and its twin ran the same scans; their results must agree or the ratio means nothing.
    static func checkSameResults(twin: BlinkerTwin, program: CompiledProgram) throws {
        guard program.value(of: "Lamp") == .bool(twin.lamp),
              program.value(of: "Blinks") == .int(Int64(twin.counter.CV)) else {
            throw fail("plc bench: the hand-written twin and the graph disagree; the comparison is void", code: 1)
        }
    }

    /// The fastest round: on a shared machine, noise only ever adds time, so the minimum is the
    /// steadiest estimate of what the code costs.
    static func best(_ values: [Double]) -> Double { values.min()! }
    static func format(_ v: Double) -> String { String(printf: v < 10 ? "%.1f" : "%.0f", v) }
    static func micro(_ ns: Int64) -> String { "\(ns / 1000) µs" }
}

/// programs/blinker written by hand in Swift: the same blocks, wired with plain property accesses.
final class BlinkerTwin {
    let offTimer = TON(), onTimer = TON(), lampOn = R_TRIG(), counter = CTU()
    @exclusivity(unchecked) var lamp = false
    let onTime: Int64 = 500, offTime: Int64 = 500

    init() {
        counter.PV = 5
    }

    func scan(_ context: ScanContext) {
        offTimer.IN = !onTimer.Q
        offTimer.PT = offTime
        offTimer.execute(context)
        lamp = offTimer.Q
        onTimer.IN = offTimer.Q
        onTimer.PT = onTime
        onTimer.execute(context)
        lampOn.CLK = lamp
        lampOn.execute(context)
        counter.CU = lampOn.Q
        counter.execute(context)
    }
}
