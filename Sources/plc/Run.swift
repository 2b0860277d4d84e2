import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore
import PLCGraph
import PLCApp
import PLCRuntime
import PLCStorage

/// `plc run`: run a program as a cyclic task until stopped.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a program cyclically until SIGINT/SIGTERM, or for --cycles scans.",
        discussion: "On exit it prints the cycle statistics. A clean stop finishes the running scan first."
    )

    @OptionGroup var target: ProgramArguments

    @Option(help: "Stop after this many scans.")
    var cycles: UInt64?

    @Option(help: "Print these variables or pins (comma-separated) as CSV after every scan.")
    var monitor: String?

    @Flag(help: "Start the built-in meter simulator on loopback (every slave the program reads) and point every bus at it.")
    var simulate = false

    @Flag(help: "Run the program's Structured Text twin (the PROGRAM of the same name in --st) in the ST engine.")
    var twin = false

    @Option(help: "The folder of the Structured Text twin, for --twin.")
    var st = "st-reference"

    @Option(help: "warm (default): restore RETAIN and PERSISTENT values; cold: RETAIN values start from their initial values; origin: everything does.")
    var reset: ResetLevel?

    @Option(help: "A tariff (file, or NAME for tariffs/NAME.yaml): the dashboard's Energy page shows today's and this month's cost.")
    var tariff: String?

    @Flag(name: .customLong("anomaly-events"), help: "Publish each MQTT location's anomaly check (last 7 days) as a retained event with a Home Assistant binary_sensor.")
    var anomalyEvents = false

    @Flag(help: "Lock the process's memory in RAM (mlockall) once started; needs CAP_IPC_LOCK or LimitMEMLOCK=infinity.")
    var lockMemory = false

    func run() throws {
        try AddressSpace.check()
        if twin {
            let stop = StopSignal()
            let loading = ProgramLoading(library: .all)
            var file = try loading.load(target.program, sets: target.sets, settingsFile: target.settings)
            if let first = file.tasks.first {
                // The twin is one ST PROGRAM: it runs as one task, at the first task's period.
                note("\(file.name): the ST twin runs as one task (the PROGRAM \(file.name)) at the period of task \(first.name), "
                    + "T#\(first.settings.interval)ms; the other tasks' periods do not apply to it")
                file.task = first.settings
            }
            // The same set-up as the graph's run: a program that `plc check` rejects does not run as a twin either.
            _ = try loading.setup(file)
            return try TwinRun(file: file, folder: st, simulate: simulate, cycles: cycles, reset: reset).run(stop: stop)
        }
        let reopen = Reopen()
        let reload = Reopen()
        // First: a Ctrl-C during start-up still stops cleanly. SIGHUP (logrotate) reopens the files;
        // SIGUSR2 loads the edited program folder as an online change.
        let stop = StopSignal(onHangUp: { reopen.run() }, onReload: { reload.run() })
        let loading = ProgramLoading(library: .all)
        let file = try loading.load(target.program, sets: target.sets, settingsFile: target.settings)
        if !file.tasks.isEmpty {
            reload.action = { note("\(file.name): SIGUSR2: online change is not available for a program with tasks; restart it") }
            return try runTasks(file, loading: loading, stop: stop, reopen: reopen)
        }
        let runtime: RuntimeAssembly
        do {
            runtime = try RuntimeAssembly(file: file, library: loading.library, simulate: simulate, settings: loading.settings, note: note)
        } catch {
            throw fail(error)
        }
        // Clean stop, in reverse order of start: the last scan is done; blocks hand over what must
        // not be lost; the writer writes every queued row and line; then the buses close.
        defer { runtime.stop() }
        let compiled = runtime.program
        let monitored = try monitorPaths(compiled)
        let name = file.name
        reopen.action = { [writer = runtime.storage.writer] in
            note("\(name): SIGHUP: the error log and CSV files are reopened by name")
            writer.reopen()
        }
        let task = CyclicTask(program: compiled, settings: file.task, clock: SystemClock())
        // What the loop below keeps between scans, in a class of the scan thread's own rather than
        // variables the closures capture: their boxes went through the runtime's dynamic exclusivity
        // checks (swift_beginAccess) several times a scan.
        let loop = RunLoopState(retain: try RetainSetup.start(RetainSet(compiled), file: file, reset: reset),
                                generation: compiled.generation)
        let reloader = OnlineReloader(runtime: runtime, location: target.program, sets: target.sets,
                                      settingsFile: target.settings, library: loading.library)
        reload.action = { _ = reloader.reload(by: "SIGUSR2") }
        let dashboard = try startDashboard(compiled, file: file, io: runtime.modbus, settings: runtime.setup.settings,
                                           reload: { reloader.reload(by: $0) })
        defer { dashboard?.stop() }
        let events = anomalyEvents ? AnomalyEvents() : nil
        defer { events?.stop() }
        task.onWatchdog = { ns in note("\(name): watchdog: a scan took \(ns / 1_000_000) ms") }
        task.onClockStep = { ms, localTime in runtime.clockStepped(by: ms, localTime: localTime) }
        note("\(name): running \(compiled.instances.count) blocks every T#\(file.task.interval)ms"
            + (cycles.map { " for \($0) scans" } ?? "; Ctrl-C stops"))
        if !monitored.isEmpty { emit((["cycle", "t_ms"] + monitored).joined(separator: ",") + "\n") }
        let writer = runtime.storage.writer
        if lockMemory { try LockMemory.lock() }
        task.run(cycles: cycles, shouldStop: { stop.isSet || writer.conflict != nil || loop.failed != nil }, afterScan: {
            // The scan's own time, not one more clock read per scan.
            loop.failed = runtime.supervise(now: task.elapsedMilliseconds * 1_000_000)
            runtime.afterScan()
            if compiled.generation != loop.generation {
                // An online change was swapped in: the retain store follows the new version.
                loop.generation = compiled.generation
                let stats = task.statistics
                note("\(name): the scan that carried the online change took \(stats.last / 1000) µs"
                     + " (average scan \(stats.average / 1000) µs, watchdog T#\(file.task.watchdog)ms)")
                loop.retain = try? RetainSetup.follow(compiled, file: file, replacing: loop.retain, now: task.elapsedMilliseconds)
            }
            loop.retain?.afterScan(now: task.elapsedMilliseconds)
            // One program per CSV folder; the folders are wired in by the first scan.
            if !loop.claimed {
                loop.claimed = true
                _ = runtime.storage.claimFolders()
            }
            dashboard?.afterScan(task.statistics)
            events?.afterScan(compiled)
            guard !monitored.isEmpty else { return }
            let cells = monitored.map { path in
                // A path an online change removed prints an empty cell.
                guard let value = compiled.value(of: path), let type = compiled.type(of: path) else { return "" }
                return CSVText.escape(IECLiteral.format(value, as: type))
            }
            emit(([String(task.statistics.cycles - 1), String(task.elapsedMilliseconds)] + cells).joined(separator: ",") + "\n")
        })
        loop.retain?.stop(now: task.elapsedMilliseconds)
        note(task.statistics.summary(interval: file.task.interval))
        if let conflict = writer.conflict { throw fail("\(name): \(conflict)") }
        if let failed = loop.failed { throw fail(failed, code: 1) }
    }

    private func monitorPaths(_ program: CompiledProgram) throws -> [String] {
        guard let monitor else { return [] }
        let paths = monitor.split(separator: ",").map { $0.trimmingSpaces() }
        for path in paths where program.type(of: path) == nil {
            throw fail("--monitor: no variable or pin named '\(path)'")
        }
        return paths
    }
}

/// What `plc run`'s loop keeps from one scan to the next; the scan thread's only.
///
/// `@exclusivity(unchecked)`: the runtime's dynamic exclusivity checks only ever catch overlapping
/// accesses on one thread, and the loop makes none; without them a scan calls no `swift_beginAccess`.
private final class RunLoopState {
    /// The retain store (nil: nothing retained); replaced when an online change is swapped in.
    @exclusivity(unchecked) var retain: RetainStore?
    /// The program's generation the retain store follows.
    @exclusivity(unchecked) var generation: Int
    /// Why a service failure stops the runtime, once one did.
    @exclusivity(unchecked) var failed: String?
    /// True once the CSV folders were claimed (after the first scan).
    @exclusivity(unchecked) var claimed = false

    init(retain: RetainStore?, generation: Int) {
        self.retain = retain
        self.generation = generation
    }
}

/// What SIGHUP does, set once the storage writer exists.
final class Reopen: @unchecked Sendable {
    private let lock = ThreadLock()
    private var _action: (@Sendable () -> Void)?

    var action: (@Sendable () -> Void)? {
        get { lock.withLock { _action } }
        set { lock.withLock { _action = newValue } }
    }

    func run() { action?() }
}
