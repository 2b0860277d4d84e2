public import PLCCore
public import PLCGraph
import Glibc
import Synchronization

/// The variables one task makes visible to the others, as of its last completed scan.
final class Published: @unchecked Sendable {
    private let lock = ThreadLock()
    private var values: [IECValue]

    init(count: Int) { values = Array(repeating: .int(0), count: count) }

    /// At the end of the owner's scan: every exported value at once.
    func publish(_ refs: [PinRef]) {
        lock.withLock {
            var i = 0
            while i < refs.count {
                values[i] = refs[i].load()
                i += 1
            }
        }
    }

    /// At the start of a reader's scan: the values of one completed scan, never half of one.
    func read(_ pairs: [(Int, PinRef)]) {
        lock.withLock {
            var i = 0
            while i < pairs.count {
                pairs[i].1.store(values[pairs[i].0])
                i += 1
            }
        }
    }
}

/// One task's compiled program with its side of the exchange: it reads the other tasks' published
/// variables before its scan and publishes its own after it.
public final class TaskProgram: Scannable {
    public let name: String
    public let program: CompiledProgram
    let exports: [PinRef]
    let published: Published
    var imports: [(Published, [(Int, PinRef)])] = []

    init(name: String, program: CompiledProgram, exports: [PinRef]) {
        self.name = name
        self.program = program
        self.exports = exports
        published = Published(count: exports.count)
        // The values as they are before the first scan (restored or initial): a task that scans
        // before this one never reads a placeholder.
        published.publish(exports)
    }

    public func readInputs() {
        var i = 0
        while i < imports.count {
            imports[i].0.read(imports[i].1)
            i += 1
        }
        program.readInputs()
    }

    public func scan(_ context: ScanContext) { program.scan(context) }

    public func writeOutputs() {
        program.writeOutputs()
        published.publish(exports)
    }

    /// Links the programs of a split: each exports the variables its blocks assign, the first task
    /// also those no block assigns (settings an operator may write online); each imports the others'
    /// exports of the variables it has.
    public static func link(_ programs: [(name: String, program: CompiledProgram)]) -> [TaskProgram] {
        let assigned = programs.map { Set($0.program.file.instances.flatMap { $0.outputs.map { $0.variable.uppercased() } }) }
        let anyAssigned = assigned.reduce(into: Set<String>()) { $0.formUnion($1) }
        let tasks = programs.enumerated().map { t, entry in
            var owned = assigned[t]
            if t == 0 {
                owned.formUnion(entry.program.variables.decls.map { $0.name.uppercased() }.filter { !anyAssigned.contains($0) })
            }
            let exports = entry.program.variables.decls.indices
                .filter { owned.contains(entry.program.variables.decls[$0].name.uppercased()) }
                .map { entry.program.variableSlots[$0] }
            return TaskProgram(name: entry.name, program: entry.program, exports: exports)
        }
        for reader in tasks {
            for writer in tasks where writer !== reader {
                let pairs = writer.exports.enumerated().compactMap { i, ref -> (Int, PinRef)? in
                    reader.program.variables.index(of: ref.decl.name).map { (i, reader.program.variableSlots[$0]) }
                }
                if !pairs.isEmpty { reader.imports.append((writer.published, pairs)) }
            }
        }
        return tasks
    }
}

/// Several cyclic tasks, each on its own thread at its own priority (Codesys's task configuration).
public final class TaskGroup: @unchecked Sendable {
    public let tasks: [CyclicTask<SystemClock>]
    public let priorities: [Int]
    private let threads: [WorkerThread]
    private let stopping = Atomic<Bool>(false)

    public init(_ programs: [TaskProgram], entries: [ProgramFile.TaskEntry]) {
        tasks = zip(programs, entries).map { CyclicTask(program: $0, settings: $1.settings, clock: SystemClock()) }
        priorities = entries.map(\.priority)
        threads = programs.map { _ in WorkerThread() }
    }

    /// Starts every task; the first stops the group after `cycles` scans, and every task stops when
    /// `shouldStop` says so. `note` gets one line saying which scheduling was used. `afterScan` is
    /// called with the task's index on its own thread after each of its scans.
    public func start(cycles: UInt64?, shouldStop: @escaping @Sendable () -> Bool, note: @escaping @Sendable (String) -> Void,
                      afterScan: @escaping @Sendable (Int) -> Void = { _ in }) {
        for i in tasks.indices {
            let priority = priorities[i]
            let group = self
            threads[i].start(name: "plc-task-\(i)") {
                let how = Scheduling.apply(codesysPriority: priority)
                if i == 0 { note("tasks: \(how)") }
                group.tasks[i].run(cycles: i == 0 ? cycles : nil, shouldStop: { shouldStop() || group.stopping.load(ordering: .relaxed) },
                                   afterScan: { afterScan(i) })
                if i == 0 { group.stopping.store(true, ordering: .relaxed) }
            }
        }
    }

    /// Waits until every task has stopped.
    public func join() {
        for thread in threads { thread.join() }
    }

    /// Waits up to `timeout` seconds; true when every task has stopped.
    public func join(timeout: Double) -> Bool {
        threads.allSatisfy { $0.join(timeout: timeout) }
    }

    /// Asks every task to stop after its running scan.
    public func stop() { stopping.store(true, ordering: .relaxed) }
}

/// Maps Codesys priorities (0 most urgent .. 31) onto Linux scheduling for the calling thread.
public enum Scheduling {
    /// SCHED_FIFO at 32 - priority when the process may; else SCHED_OTHER with a nice level
    /// (priority 15 is nice 0); returns what was used, for the one line that says it.
    public static func apply(codesysPriority priority: Int) -> String {
        var param = sched_param()
        param.sched_priority = Int32(32 - priority)
        let fifo = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param)
        if fifo == 0 { return "SCHED_FIFO (Codesys priority p runs at real-time priority 32 - p)" }
        let nice = Int32(max(-10, min(10, (priority - 15) / 2)))
        // On Linux, PRIO_PROCESS with 0 is the calling thread.
        let niced = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0
            || setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, max(nice, 0)) == 0
        return "SCHED_OTHER with nice levels (SCHED_FIFO not permitted: \(String(cString: strerror(fifo))))"
            + (niced ? "" : "; nice levels not permitted either")
    }
}
