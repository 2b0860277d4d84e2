import PLCApp
import PLCCore
import PLCGraph
import PLCRuntime

/// `plc run` for a program with a `tasks:` list: one cyclic task per entry, each on its own thread at
/// its own priority, exchanging cross-task values at scan boundaries; statistics per task.
struct TasksRun {
    let file: ProgramFile
    let loading: ProgramLoading
    let cycles: UInt64?
    /// `--monitor` paths: printed once, with the values at the stop (each from the task that owns it).
    var monitor: [String] = []

    func run(stop: StopSignal) throws {
        let files = TaskSplit.split(file, library: loading.library)
        var runtimes: [RuntimeAssembly] = []
        defer { for runtime in runtimes.reversed() { runtime.stop() } }
        for part in files {
            do {
                runtimes.append(try RuntimeAssembly(file: part, library: loading.library, note: note))
            } catch {
                throw fail(error)
            }
        }
        if file.variables.contains(where: { $0.retain != nil }) || file.instances.contains(where: { $0.retain != nil }) {
            note("\(file.name): RETAIN and PERSISTENT are not saved yet in a program with several tasks")
        }
        let programs = TaskProgram.link(zip(file.tasks, runtimes).map { ($0.name, $1.program) })
        let group = TaskGroup(programs, entries: file.tasks)
        for (task, entry) in zip(group.tasks, file.tasks) {
            task.onWatchdog = { [name = file.name] ns in note("\(name): task \(entry.name): watchdog: a scan took \(ns / 1_000_000) ms") }
        }
        let summary = file.tasks.map { "\($0.name) (\($0.blocks.count) blocks every T#\($0.settings.interval)ms, priority \($0.priority))" }
        note("\(file.name): running tasks " + summary.joined(separator: ", ") + (cycles.map { " for \($0) scans of the first" } ?? "; Ctrl-C stops"))
        let name = file.name
        group.start(cycles: cycles, shouldStop: { false }, note: { note("\(name): \($0)") })
        // The stop signal is watched here; the tasks stop after their running scan.
        while !group.join(timeout: 0.05) {
            if stop.isSet { group.stop() }
        }
        if !monitor.isEmpty {
            let cells = monitor.map { path -> String in
                let owner = programs.first { p in
                    let first = path.split(separator: ".").first.map(String.init) ?? path
                    return p.program.file.instances.contains { $0.name.uppercased() == first.uppercased() }
                        || p.program.file.instances.contains { $0.outputs.contains { $0.variable.uppercased() == path.uppercased() } }
                } ?? programs[0]
                guard let value = owner.program.value(of: path), let type = owner.program.type(of: path) else { return "" }
                return CSVText.escape(IECLiteral.format(value, as: type))
            }
            emit(monitor.joined(separator: ",") + "\n" + cells.joined(separator: ",") + "\n")
        }
        for (task, entry) in zip(group.tasks, file.tasks) {
            note("task \(entry.name)\n" + task.statistics.summary(interval: entry.settings.interval))
        }
    }
}
