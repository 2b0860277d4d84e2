public import PLCCore
import Synchronization

/// Online writes and forces of a running program, as in Codesys's online mode.
///
/// Any thread (the dashboard's, a command line's) submits; the scan thread applies what was
/// submitted at the start of its next scan, so nothing changes under a running scan:
/// - **write** sets a value once; the program may overwrite it in the same scan.
/// - **force** holds a value every scan until it is unforced: on a program variable where every
///   reader sees it (at the start of the scan and after every write to it), on an input pin just
///   before its block runs, on an output pin just after its block runs.
/// Requests are checked when they are submitted (the name exists, the text is a literal of its
/// type, as `--set` checks it), so a bad one changes nothing and gets its reason at once.
public final class OnlineControl: Sendable {
    /// One checked request.
    public enum Request: Sendable, Equatable {
        case write(String, IECValue)
        case force(String, IECValue)
        case unforce(String)
        case unforceAll
        /// A line for the audit log only (a login, a failed login), written in order with the changes.
        case note(String)
    }

    /// What a request changed, for the audit line: the path, the value before and the value asked for.
    public struct Change: Sendable, Equatable {
        public let request: Request
        public let path: String
        public let old: String
        public let new: String
        /// Who asked (`alice (operator) from 127.0.0.1`), empty when unknown.
        public var by = ""

        public init(request: Request, path: String, old: String, new: String, by: String = "") {
            self.request = request
            self.path = path
            self.old = old
            self.new = new
            self.by = by
        }

        /// The audit line: `alice (operator) from 127.0.0.1: force LogInterval T#5m -> T#1m`.
        public var line: String {
            let who = by.isEmpty ? "" : "\(by): "
            switch request {
            case .write: return "\(who)write \(path) \(old) -> \(new)"
            case .force: return "\(who)force \(path) \(old) -> \(new)"
            case .unforce, .unforceAll: return "\(who)unforce \(path) (was forced to \(old))"
            case .note(let text): return "\(who)\(text)"
            }
        }
    }

    private let pending = Mutex<[(Request, String)]>([])
    private let waiting = Atomic<Bool>(false)

    public init() {}

    /// Queues `request` for the next scan; `by` names who asked, for the audit line.
    public func submit(_ request: Request, by: String = "") {
        pending.withLock { $0.append((request, by)) }
        waiting.store(true, ordering: .releasing)
    }

    /// The requests submitted since the last call, or nil (one atomic load) when there are none.
    func take() -> [(Request, String)]? {
        guard waiting.load(ordering: .acquiring) else { return nil }
        waiting.store(false, ordering: .relaxed)
        return pending.withLock { requests in
            defer { requests.removeAll() }
            return requests
        }
    }
}

extension CompiledProgram {
    /// A checked write or force of `path` to the literal `text`; the error says why it is refused
    /// (`no variable or pin named 'X'`, `LogInterval : TIME: ...`).
    public func request(force: Bool, _ path: String, _ text: String) throws(IECError) -> OnlineControl.Request {
        try onlineCatalog.request(force: force, path, text).0
    }

    /// Whether the program marks `path` (a canonical path) `online: write`, so an operator may write it.
    public func isOnlineWritable(_ path: String) -> Bool {
        file.variables.contains { $0.onlineWritable && $0.decl.name == path }
    }

    /// Applies the requests submitted since the last scan (on the scan thread, before the scan) and
    /// rebuilds the forced schedule when the forces changed; returns what changed, for the log.
    func applyOnline(_ requests: [(OnlineControl.Request, String)]) -> [OnlineControl.Change] {
        var changes: [OnlineControl.Change] = []
        var forcesChanged = false
        for (request, by) in requests {
            let first = changes.count
            defer { for i in first..<changes.count { changes[i].by = by } }
            switch request {
            case .write(let path, let value), .force(let path, let value):
                guard let type = type(of: path) else { continue }
                let old = self.value(of: path).map { IECLiteral.readable($0, as: type) } ?? ""
                try? setValue(value, of: path)
                if case .force = request {
                    forces[path] = value
                    forcesChanged = true
                }
                changes.append(.init(request: request, path: path, old: old, new: IECLiteral.readable(value, as: type)))
            case .unforce(let path):
                guard let value = forces.removeValue(forKey: path), let type = type(of: path) else { continue }
                forcesChanged = true
                changes.append(.init(request: request, path: path, old: IECLiteral.readable(value, as: type), new: "unforced"))
            case .unforceAll:
                for (path, value) in forces.sorted(by: { $0.key < $1.key }) {
                    let type = type(of: path) ?? .bool
                    changes.append(.init(request: request, path: path, old: IECLiteral.readable(value, as: type), new: "unforced"))
                }
                forcesChanged = !forces.isEmpty
                forces.removeAll()
            case .note:
                changes.append(.init(request: request, path: "", old: "", new: ""))
            }
        }
        if forcesChanged { rebuildForcedSchedule() }
        return changes
    }

    /// Rebuilds the schedule from the compiled one with a force step where each force applies.
    private func rebuildForcedSchedule() {
        forcedValues.removeAll()
        guard !forces.isEmpty else {
            useSchedule(nil)
            return
        }
        var before: [UnsafeMutableRawPointer: [Int]] = [:], after: [UnsafeMutableRawPointer: [Int]] = [:]   // a block -> forced values
        var variableWrites: [UnsafeMutableRawPointer: Int] = [:]      // a variable's address -> forced value
        var atStart: [Int] = []
        for (path, value) in forces.sorted(by: { $0.key < $1.key }) {
            if let v = variables.index(of: path) {
                let ref = storage.slots[v]
                forcedValues.append(.ref(ref, value))
                variableWrites[ref.address] = forcedValues.count - 1
                atStart.append(forcedValues.count - 1)
            } else if let (instance, pin) = resolvePin(path) {
                let decl = instance.interface.decls[pin]
                forcedValues.append(pin < instance.pins.count ? .ref(instance.pins[pin], value) : .boxed(instance.block, pin, value))
                let object = Unmanaged.passUnretained(instance.block as AnyObject).toOpaque()
                if decl.scope == .input { before[object, default: []].append(forcedValues.count - 1) }
                else { after[object, default: []].append(forcedValues.count - 1) }
            }
        }
        var schedule: [Step] = atStart.map { .force($0) }
        for step in compiledSteps {
            if case .call(let object, _) = step, let list = before[object] { schedule += list.map { .force($0) } }
            schedule.append(step)
            if case .call(let object, _) = step, let list = after[object] { schedule += list.map { .force($0) } }
            if let destination = destination(of: step), let forced = variableWrites[destination] { schedule.append(.force(forced)) }
        }
        useSchedule(schedule)
    }

    /// Where `step` writes, boxed copies included.
    private func destination(of step: Step) -> UnsafeMutableRawPointer? {
        if case .boxed(let index) = step, case .ref(let ref, let element) = boxed[index].to {
            return element.map { ref.elementAddress($0) } ?? ref.address
        }
        return step.destination
    }

    /// The forced paths with their values as literals, sorted (for pages, metrics and the stop line).
    public var forcedList: [(path: String, value: String)] {
        forces.sorted { $0.key < $1.key }.map { ($0.key, IECLiteral.readable($0.value, as: type(of: $0.key) ?? .bool)) }
    }
}

/// A forced value and where it goes: a pin or variable at a fixed address, or a pin of a block that
/// declares its pins by hand.
enum ForcedValue {
    case ref(PinRef, IECValue)
    case boxed(any FunctionBlock, Int, IECValue)

    func apply() {
        switch self {
        case .ref(let ref, let value): ref.store(value)
        case .boxed(let block, let pin, let value): block[pin: pin] = value
        }
    }
}

/// What an online request may name, copied from a compiled program so that other threads (the
/// dashboard's) check requests without touching the program: every variable and pin with its type
/// and whether an operator may write it, and the program's request queue.
public struct OnlineCatalog: Sendable {
    /// One writable thing: its path as the program spells it, its type, whether it is `online: write`.
    public struct Entry: Sendable {
        public let path: String
        public let type: IECType
        public let operatorMayWrite: Bool
    }

    private let entries: CatalogEntries
    /// The program's queue: requests submitted here are applied at the start of the next scan.
    public let control: OnlineControl

    init(entries: CatalogEntries, control: OnlineControl) {
        self.entries = entries
        self.control = control
    }

    /// The entry `path` names (any case), or nil; after an online change, the new program's.
    public func entry(_ path: String) -> Entry? { entries.entry(path) }

    /// A checked write or force of `path` to the literal `text`, and the entry it names.
    public func request(force: Bool, _ path: String, _ text: String) throws(IECError) -> (OnlineControl.Request, Entry) {
        guard let entry = entry(path) else { throw IECError("no variable or pin named '\(path)'") }
        let value: IECValue
        do { value = try IECLiteral.parse(text, as: entry.type) } catch {
            throw IECError("\(entry.path) : \(entry.type.name): \(error.message)")
        }
        return (force ? .force(entry.path, value) : .write(entry.path, value), entry)
    }
}

extension CompiledProgram {
    /// The catalog of this program's variables and pins for online requests from other threads
    /// (it follows the program through online changes).
    /// Made on first use (the dashboard's start), on the thread that owns the program.
    public var onlineCatalog: OnlineCatalog {
        if !catalogEntries.isFilled { catalogEntries.replace(with: catalogList()) }
        return OnlineCatalog(entries: catalogEntries, control: online)
    }

    /// Every variable and pin with its type, for the catalog.
    func catalogList() -> [OnlineCatalog.Entry] {
        var entries = variables.decls.map { decl in
            OnlineCatalog.Entry(path: decl.name, type: decl.type, operatorMayWrite: isOnlineWritable(decl.name))
        }
        for instance in instances {
            for decl in instance.interface.decls {
                entries.append(.init(path: "\(instance.name).\(decl.name)", type: decl.type, operatorMayWrite: false))
            }
        }
        return entries
    }
}

/// The catalog's entries by upper-cased path, shared by every `OnlineCatalog` of a program and
/// replaced (under a lock) when an online change swaps a new version in.
final class CatalogEntries: Sendable {
    /// nil until first made: a program nobody asks online requests of never builds it.
    private let byName = Mutex<[String: OnlineCatalog.Entry]?>(nil)

    var isFilled: Bool { byName.withLock { $0 != nil } }

    func entry(_ path: String) -> OnlineCatalog.Entry? { byName.withLock { $0?[path.uppercased()] } }

    func replace(with entries: [OnlineCatalog.Entry]) {
        var table: [String: OnlineCatalog.Entry] = [:]
        for entry in entries { table[entry.path.uppercased()] = entry }
        byName.withLock { $0 = table }
    }

    func replace(with other: CatalogEntries) {
        let table = other.byName.withLock { $0 }
        byName.withLock { $0 = table }
    }
}
