public import PLCCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// An edited program made ready to replace a running one between two scans (Codesys's online change).
///
/// Made off the scan thread by `CompiledProgram.prepareChange(to:library:)`: the edited program is
/// compiled with the running program's block objects for every instance whose name and type stay
/// (their state goes on: a timer in mid-interval, a logger's queued rows, a latch), and new blocks
/// for the instances the edit adds. Nothing the running program owns is touched until the scan
/// thread swaps the change in (`CompiledProgram.apply(_:timeout:onSwap:)`).
public final class OnlineChange {
    /// Instances of the edited program that reuse the running program's block objects.
    public let kept: [String]
    /// Instances new in the edited program: their blocks start from their initial values.
    public let added: [CompiledProgram.Instance]
    /// Instances of the running program the edited one no longer has: dropped at the swap.
    public let removed: [CompiledProgram.Instance]
    /// Program variables whose name stays but whose type changed: they start from their initial values.
    public let reset: [String]
    /// The edited program, compiled around the kept blocks.
    let program: CompiledProgram

    init(kept: [String], added: [CompiledProgram.Instance], removed: [CompiledProgram.Instance], reset: [String],
         program: CompiledProgram) {
        self.kept = kept
        self.added = added
        self.removed = removed
        self.reset = reset
        self.program = program
    }

    /// The edited program's instances (kept and added), as they will run.
    public var instances: [CompiledProgram.Instance] { program.instances }

    /// The edited program as loaded.
    public var file: ProgramFile { program.file }

    /// The edited program, compiled around the kept blocks: read its values, never scan it.
    public var edited: CompiledProgram { program }

    /// The log line: `online change: 2 blocks added, 1 removed, 31 kept, 0 reset`.
    public var summary: String {
        "online change: \(added.count) blocks added, \(removed.count) removed, \(kept.count) kept, \(reset.count) reset"
    }
}

extension CompiledProgram {
    /// Checks that `fresh` (the edited program, set up on its own with new blocks) can replace this
    /// running program online, and compiles it around this program's blocks; call off the scan
    /// thread, while no other change is being applied. Throws the reasons it cannot, with
    /// `file:line`: the program's name, task or buses changed, or a block changed its type (or its
    /// type changed its pins) under the same instance name, which Codesys also refuses online.
    public func prepareChange(to fresh: CompiledProgram, library: BlockLibrary) throws(ProgramErrors) -> OnlineChange {
        var errors: [SourceError] = []
        let path = fresh.file.path
        if fresh.name != name {
            errors.append(SourceError(file: path, line: nil,
                                      "program: its name changed from \(name) to \(fresh.name); an online change keeps the running program's name"))
        }
        if !fresh.file.tasks.isEmpty || !file.tasks.isEmpty {
            errors.append(SourceError(file: path, line: nil, "tasks: a program with a task list cannot be changed online yet"))
        }
        let (a, b) = (file.task, fresh.file.task)
        if a.interval != b.interval || a.watchdog != b.watchdog || a.sensitivity != b.sensitivity || a.overrun != b.overrun {
            errors.append(SourceError(file: path, line: nil,
                                      "task: its interval, watchdog, sensitivity or overrun changed; the task's timing cannot change online"))
        }
        if Self.busTable(file) != Self.busTable(fresh.file) {
            errors.append(SourceError(file: path, line: fresh.file.buses.first?.line,
                                      "buses: a bus was added, removed or changed; the buses cannot change online"))
        }
        let running = Dictionary(instances.map { ($0.name.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
        let declared = Dictionary(file.instances.map { ($0.name.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var reusing: [String: any FunctionBlock] = [:]
        var live: Set<ObjectIdentifier> = []
        var kept: [String] = [], added: [Instance] = []
        for instance in fresh.instances {
            let key = instance.name.uppercased()
            guard let old = running[key] else {
                reusing[key] = instance.block
                added.append(instance)
                continue
            }
            let declaredNow = fresh.file.instances.first { $0.name.uppercased() == key }
            let oldType = declared[key]?.type ?? old.interface.name
            let newType = declaredNow?.type ?? instance.interface.name
            if oldType.uppercased() != newType.uppercased() {
                errors.append(SourceError(file: declaredNow?.file ?? path, line: instance.line,
                    "block \(instance.name) changed its type from \(oldType) to \(newType): a type change cannot be applied online "
                    + "(Codesys asks for a full download); restart the program to load it"))
            } else if old.bus != instance.bus {
                errors.append(SourceError(file: declaredNow?.file ?? path, line: instance.line,
                    "block \(instance.name) moved from bus \(old.bus ?? "(the only one)") to \(instance.bus ?? "(the only one)"): "
                    + "its requests stay on the bus it started on; restart the program to move it"))
            } else if Self.signature(old.interface) != Self.signature(instance.interface) {
                errors.append(SourceError(file: declaredNow?.file ?? path, line: instance.line,
                    "block \(instance.name): its type \(newType) changed its variables; restart the program to load it"))
            } else {
                reusing[key] = old.block
                live.insert(ObjectIdentifier(old.block as AnyObject))
                kept.append(instance.name)
            }
        }
        if !errors.isEmpty { throw ProgramErrors(errors) }
        let names = Set(fresh.instances.map { $0.name.uppercased() })
        let removed = instances.filter { !names.contains($0.name.uppercased()) }
        let reset = fresh.variables.decls.filter { decl in
            variables.decl(decl.name).map { $0.type != decl.type } ?? false
        }.map(\.name)
        let program = try ProgramCompiler.compile(fresh.file, library: library, reusing: reusing, live: live)
        program.catalogEntries.replace(with: program.catalogList())     // here, off the scan thread
        return OnlineChange(kept: kept, added: added, removed: removed, reset: reset, program: program)
    }

    /// Hands `change` to the scan thread, which swaps it in at the start of its next scan, and waits
    /// (at most `timeout` seconds) for it; `onSwap` runs on the scan thread right after the swap,
    /// before the scan (the runtime's own bookkeeping and the log line). Returns nil once the
    /// change runs, or why it was not applied (the old program keeps running).
    public func apply(_ change: OnlineChange, timeout: Double = 10, onSwap: @escaping (ScanContext) -> Void) -> String? {
        swap.submit(change, onSwap: onSwap)
        return swap.wait(timeout: timeout)
    }

    /// Scan thread, at the start of a scan: swaps in the change waiting, if any.
    func takeOnlineChange(_ context: ScanContext) {
        guard let (change, onSwap) = swap.take() else { return }
        let started = MonotonicTime.nanoseconds()
        guard forces.isEmpty else {
            swap.finish("\(forces.count) values are forced: unforce them first (plc online URL unforce VARIABLE)")
            return
        }
        let new = change.program
        // Program variables by name and type: the running value goes on.
        for (i, decl) in new.variables.decls.enumerated() {
            guard let j = variables.index(of: decl.name), variables.decls[j].type == decl.type else { continue }
            new.storage.slots[i].store(storage.slots[j].load())
        }
        retired.append(storage)
        file = new.file
        variables = new.variables
        storage = new.storage
        instances = new.instances
        order = new.order
        feedbackWires = new.feedbackWires
        boxed = new.boxed
        compiledSteps = new.compiledSteps
        ioBlocks = new.ioBlocks
        useSchedule(nil)
        // The literal inputs of kept blocks (a changed literal applies from this scan on).
        for (endpoint, value) in new.pendingLiterals { store(value, endpoint) }
        catalogEntries.replace(with: new.catalogEntries)
        generation += 1
        onSwap(context)
        lastSwapNanoseconds = MonotonicTime.nanoseconds() - started
        swap.finish(nil)
    }

    /// Each bus's settings by name (the last value of each key), to compare two versions.
    private static func busTable(_ file: ProgramFile) -> [String: [String: String]] {
        var table: [String: [String: String]] = [:]
        for bus in file.buses {
            var settings: [String: String] = [:]
            for setting in bus.settings { settings[setting.key] = setting.value }
            table[bus.name] = settings
        }
        return table
    }

    private static func signature(_ table: VarTable) -> [String] {
        table.decls.map { "\($0.scope) \($0.name.uppercased()) \($0.type.name)" }
    }
}

/// The hand-over of one online change between the thread that asks for it and the scan thread.
final class OnlineSwap: @unchecked Sendable {
    private let condition = ThreadCondition()
    // Guarded by `condition`.
    private var pending: (OnlineChange, (ScanContext) -> Void)?
    private var outcome: String??
    private let waiting = Atomic<Bool>(false)

    /// True when a change waits (one atomic load per scan).
    var isWaiting: Bool { waiting.load(ordering: .acquiring) }

    func submit(_ change: OnlineChange, onSwap: @escaping (ScanContext) -> Void) {
        condition.withLock {
            pending = (change, onSwap)
            outcome = nil
        }
        waiting.store(true, ordering: .releasing)
    }

    /// Scan thread: the change waiting, taken.
    func take() -> (OnlineChange, (ScanContext) -> Void)? {
        waiting.store(false, ordering: .relaxed)
        return condition.withLock {
            defer { pending = nil }
            return pending
        }
    }

    /// Scan thread: the change is swapped in (nil) or refused (why).
    func finish(_ refusal: String?) {
        condition.withLock {
            outcome = .some(refusal)
            condition.broadcast()
        }
    }

    /// The outcome, or a refusal after `timeout` seconds if the scan thread never took the change
    /// (a stopped program); a change taken is always waited for.
    func wait(timeout: Double) -> String? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        return condition.withLock {
            while outcome == nil {
                guard pending != nil else {
                    condition.wait()      // taken: the scan that swaps it in finishes it
                    continue
                }
                if !condition.wait(until: deadline), outcome == nil, pending != nil {
                    pending = nil
                    waiting.store(false, ordering: .relaxed)
                    return "the program did not start a scan within \(Int(timeout)) s"
                }
            }
            return outcome ?? nil
        }
    }
}
