import PLCApp
import PLCCore
import PLCGraph
import PLCHttp
import PLCModbus
import PLCRuntime

extension Run {
    /// `plc run` for a program with a `tasks:` list: one cyclic task per entry, each on its own thread
    /// at its own priority, exchanging cross-task values at scan boundaries; statistics per task.
    /// RETAIN and PERSISTENT values of every task go into one image (each task's as of its own last
    /// scan); `--simulate` serves every bus of the program once; `--monitor` prints a line after each
    /// scan of the first task, every value as of its own task's last completed scan.
    func runTasks(_ whole: ProgramFile, loading: ProgramLoading, stop: StopSignal, reopen: Reopen) throws {
        var file = whole
        var simulators: [ModbusSimulator] = []
        if simulate {
            do {
                simulators = try SimulatedBus.start(&file, note: note)
            } catch {
                throw fail(error)
            }
        }
        defer { for simulator in simulators { simulator.stop() } }
        let library = loading.library
        let files = TaskSplit.split(file, library: library, usesBus: { library.type(named: $0) is any BusBlock.Type })
        var runtimes: [RuntimeAssembly] = []
        defer { for runtime in runtimes.reversed() { runtime.stop() } }
        for part in files {
            do {
                runtimes.append(try RuntimeAssembly(file: part, library: library, settings: loading.settings, note: note))
            } catch {
                throw fail(error)
            }
        }
        let name = file.name
        reopen.action = { [writers = runtimes.map(\.storage.writer)] in
            note("\(name): SIGHUP: the error log and CSV files are reopened by name")
            for writer in writers { writer.reopen() }
        }
        let owners = TaskSplit.owners(file)
        let sets = runtimes.indices.map { t in
            RetainSet(runtimes[t].program, variables: Set(owners.filter { $0.value == t }.keys))
        }
        let retain = try RetainSetup.start(sets, file: file, reset: reset)
        let monitor: TaskMonitor?
        do {
            monitor = try TaskMonitor(paths: self.monitor, programs: runtimes.map(\.program), owners: owners)
        } catch {
            retain?.stop(now: [0])
            throw error
        }
        let parts = zip(file.tasks, runtimes).map {
            TaskPart(name: $0.name, program: $1.program, task: $0.settings, workers: Array($1.modbus.workers.values))
        }
        let dashboard = try startDashboard(parts, owners: owners, file: file, settings: runtimes[0].setup.settings)
        defer { dashboard?.stop() }
        let programs = TaskProgram.link(zip(file.tasks, runtimes).map { ($0.name, $1.program) })
        let group = TaskGroup(programs, entries: file.tasks)
        for (t, (task, entry)) in zip(group.tasks, file.tasks).enumerated() {
            task.onWatchdog = { ns in note("\(name): task \(entry.name): watchdog: a scan took \(ns / 1_000_000) ms") }
            task.onClockStep = { ms, localTime in runtimes[t].clockStepped(by: ms, localTime: localTime) }
        }
        let summary = file.tasks.map { "\($0.name) (\($0.blocks.count) blocks every T#\($0.settings.interval)ms, priority \($0.priority))" }
        note("\(name): running tasks " + summary.joined(separator: ", ") + (cycles.map { " for \($0) scans of the first" } ?? "; Ctrl-C stops"))
        if anomalyEvents { note("\(name): --anomaly-events is not run for a program with a tasks: list (only the task: form)") }
        if lockMemory { try LockMemory.lock() }
        monitor?.header()
        let scans = TaskScans(runtimes: runtimes, group: group, retain: retain, monitor: monitor, dashboard: dashboard)
        group.start(cycles: cycles, shouldStop: { scans.failure != nil }, note: { note("\(name): \($0)") },
                    afterScan: { scans.afterScan($0) })
        // The stop signal is watched here; the tasks stop after their running scan.
        while !group.join(timeout: 0.05) {
            if stop.isSet || scans.failure != nil { group.stop() }
        }
        retain?.stop(now: group.tasks.map(\.elapsedMilliseconds))
        for (task, entry) in zip(group.tasks, file.tasks) {
            note("task \(entry.name)\n" + task.statistics.summary(interval: entry.settings.interval))
        }
        if let failure = scans.failure { throw fail(failure.text, code: failure.code) }
    }
}

/// What every task does after its own scan, on its own thread: its runtime's sinks and supervision,
/// its part of the retain image, its monitored values.
private final class TaskScans: @unchecked Sendable {
    let runtimes: [RuntimeAssembly]
    let group: TaskGroup
    let retain: RetainStore?
    let monitor: TaskMonitor?
    let dashboard: Dashboard?
    private let lock = ThreadLock()
    private var _failure: (text: String, code: Int32)?

    init(runtimes: [RuntimeAssembly], group: TaskGroup, retain: RetainStore?, monitor: TaskMonitor?, dashboard: Dashboard?) {
        self.dashboard = dashboard
        self.runtimes = runtimes
        self.group = group
        self.retain = retain
        self.monitor = monitor
    }

    /// Why the run must stop (a storage conflict, a failed service), once one task found it.
    var failure: (text: String, code: Int32)? { lock.withLock { _failure } }

    func afterScan(_ t: Int) {
        let runtime = runtimes[t], task = group.tasks[t]
        if let failed = runtime.supervise() { stopWith(failed, 1) }
        runtime.afterScan()
        retain?.afterScan(now: task.elapsedMilliseconds, part: t)
        // One program per CSV folder; the folders are wired in by the first scan.
        if task.statistics.cycles == 1 { _ = runtime.storage.claimFolders() }
        if let conflict = runtime.storage.writer.conflict { stopWith("\(runtime.file.name): \(conflict)", 2) }
        dashboard?.afterScan(task: t, task.statistics)
        monitor?.afterScan(t, cycle: task.statistics.cycles - 1, time: task.elapsedMilliseconds)
    }

    private func stopWith(_ text: String, _ code: Int32) {
        lock.withLock { if _failure == nil { _failure = (text, code) } }
    }
}

/// `--monitor` with several tasks: each task copies the paths it owns after its scan; the first task
/// prints the line after its own scan, so every value is as of its task's last completed scan.
final class TaskMonitor: @unchecked Sendable {
    private let paths: [String]
    private let programs: [CompiledProgram]
    /// The task of each path.
    private let owner: [Int]
    private let lock = ThreadLock()
    private var cells: [String]

    /// nil when `paths` is empty; a path no task has is the error `plc run` gives with one task.
    init?(paths: String?, programs: [CompiledProgram], owners: [String: Int]) throws {
        guard let paths else { return nil }
        self.paths = paths.split(separator: ",").map { $0.trimmingSpaces() }
        self.programs = programs
        owner = try self.paths.map { path in
            let first = String(path.prefix { $0 != "." && $0 != "[" }).uppercased()
            let t = programs.firstIndex { $0.instances.contains { $0.name.uppercased() == first } } ?? owners[first] ?? 0
            guard programs[t].type(of: path) != nil else { throw fail("--monitor: no variable or pin named '\(path)'") }
            return t
        }
        cells = zip(self.paths, owner).map { Self.cell(programs[$1], $0) }
    }

    private static func cell(_ program: CompiledProgram, _ path: String) -> String {
        CSVText.escape(IECLiteral.format(program.value(of: path)!, as: program.type(of: path)!))
    }

    func header() { emit((["cycle", "t_ms"] + paths).joined(separator: ",") + "\n") }

    func afterScan(_ t: Int, cycle: UInt64, time: Int64) {
        let line: [String]? = lock.withLock {
            for i in paths.indices where owner[i] == t { cells[i] = Self.cell(programs[t], paths[i]) }
            return t == 0 ? cells : nil
        }
        if let line { emit(([String(cycle), String(time)] + line).joined(separator: ",") + "\n") }
    }
}
