import PLCCore
public import PLCGraph
public import PLCModbus
import PLCRuntime
import Synchronization

/// One task of a program the dashboard shows: its compiled part of the program, its settings, its buses.
public struct TaskPart {
    /// The task's name (empty for the one-task form).
    public let name: String
    public let program: CompiledProgram
    public let task: ProgramFile.Task
    public let workers: [BusWorker]

    public init(name: String, program: CompiledProgram, task: ProgramFile.Task, workers: [BusWorker]) {
        self.name = name
        self.program = program
        self.task = task
        self.workers = workers
    }
}

/// The dashboard's snapshots of a program with several tasks: each task builds its own part after
/// its own scan, and a published snapshot merges the latest part of every task.
final class TaskSnapshots: @unchecked Sendable {
    private let tasks: [TaskPart]
    private var builders: [SnapshotBuilder]
    /// The settings the builders were made with (an online change makes a new builder).
    private let settings: DashboardSettings?
    /// Each task's program version its builder was made for (only a one-task program changes online).
    private var generations: [Int]
    /// Program variables by uppercased name: the task whose copy is shown.
    private let owners: [String: Int]
    /// The task whose locations the trend rings follow (the one with the most).
    private let trendTask: Int
    let trend: TrendRecorder
    private let latest: Mutex<[RuntimeSnapshot?]>
    private let lastBuilt: Mutex<[Int64]>

    init(_ tasks: [TaskPart], owners: [String: Int], settings: DashboardSettings?) {
        self.tasks = tasks
        let builders = tasks.map { SnapshotBuilder(program: $0.program, task: $0.task, workers: $0.workers, settings: settings) }
        self.builders = builders
        self.settings = settings
        generations = tasks.map(\.program.generation)
        self.owners = owners
        let trendTask = builders.indices.max { builders[$0].trendLocations.count < builders[$1].trendLocations.count } ?? 0
        self.trendTask = trendTask
        trend = TrendRecorder(program: tasks[trendTask].program, locations: builders[trendTask].trendLocations)
        latest = Mutex(Array(repeating: nil, count: tasks.count))
        lastBuilt = Mutex(Array(repeating: Int64.min / 2, count: tasks.count))
    }

    var count: Int { tasks.count }

    /// Task `t`'s thread: the trend rings sample their task's locations.
    func sample(_ t: Int) {
        if t == trendTask { trend.sample(program: tasks[t].program, now: MonotonicTime.nanoseconds()) }
    }

    /// True when task `t` should build its part now: a client is watching and its part is older than
    /// the box's interval (each task on its own clock, so a slow task's part is not starved).
    func wants(_ t: Int, box: SnapshotBox, now: Int64) -> Bool {
        box.isWatched(now: now) && now - lastBuilt.withLock { $0[t] } >= box.interval
    }

    /// Builds task `t`'s part and returns the merged snapshot.
    func publish(_ t: Int, _ statistics: CycleStatistics, now: Int64) -> RuntimeSnapshot {
        lastBuilt.withLock { $0[t] = now }
        if tasks[t].program.generation != generations[t] {
            // An online change: the pages show the new version's variables and blocks.
            generations[t] = tasks[t].program.generation
            let part = tasks[t]
            builders[t] = SnapshotBuilder(program: part.program, task: part.task, workers: part.workers, settings: settings)
        }
        let part = builders[t].build(statistics: statistics, now: now)
        guard tasks.count > 1 else { return part }
        let parts = latest.withLock { parts -> [RuntimeSnapshot?] in
            parts[t] = part
            return parts
        }
        return merge(parts, now: now)
    }

    /// One snapshot of every task's latest part: the first task's header and statistics, every
    /// task's locations, buses, logs and instances; each program variable from its owner's part,
    /// the exchange variables between tasks left out.
    private func merge(_ parts: [RuntimeSnapshot?], now: Int64) -> RuntimeSnapshot {
        let present = parts.compactMap { $0 }
        var merged = parts.first(where: { $0 != nil })!!
        merged.monotonic = now
        merged.cycle = parts[0]?.cycle ?? CycleFigures()
        merged.tasks = tasks.indices.map { (tasks[$0].name, parts[$0]?.cycle ?? CycleFigures()) }
        merged.locations = present.flatMap(\.locations)
        merged.buses = present.flatMap(\.buses)
        merged.logFiles = Array(Set(present.flatMap(\.logFiles))).sorted()
        merged.energySources = present.flatMap(\.energySources)
        merged.forced = present.flatMap(\.forced).sorted { $0.path < $1.path }
        var variables = InstanceReading(name: "", type: "PROGRAM", pins: [])
        var blocks: [InstanceReading] = []
        for (t, part) in parts.enumerated() {
            guard let part else { continue }
            for instance in part.instances {
                if !instance.name.isEmpty { blocks.append(instance); continue }
                if variables.pins.isEmpty {
                    variables.pins = instance.pins.filter { !$0.name.hasPrefix(TaskSplit.exchangePrefix) }
                }
                for pin in instance.pins where (owners[pin.name.uppercased()] ?? 0) == t {
                    if let i = variables.pins.firstIndex(where: { $0.name == pin.name }) { variables.pins[i] = pin }
                }
            }
        }
        merged.instances = [variables] + blocks
        return merged
    }
}
