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
    }

    /// What a request changed, for the audit line: the path, the value before and the value asked for.
    public struct Change: Sendable, Equatable {
        public let request: Request
        public let path: String
        public let old: String
        public let new: String

        public init(request: Request, path: String, old: String, new: String) {
            self.request = request
            self.path = path
            self.old = old
            self.new = new
        }
    }

    private let pending = Mutex<[Request]>([])
    private let waiting = Atomic<Bool>(false)

    public init() {}

    /// Queues `request` for the next scan.
    public func submit(_ request: Request) {
        pending.withLock { $0.append(request) }
        waiting.store(true, ordering: .releasing)
    }

    /// The requests submitted since the last call, or nil (one atomic load) when there are none.
    func take() -> [Request]? {
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
        guard let canonical = canonicalPath(path), let type = type(of: canonical) else {
            throw IECError("no variable or pin named '\(path)'")
        }
        let value: IECValue
        do { value = try IECLiteral.parse(text, as: type) } catch { throw IECError("\(canonical) : \(type.name): \(error.message)") }
        return force ? .force(canonical, value) : .write(canonical, value)
    }

    /// The path as the program spells it (`logTimer.PT` for `LOGTIMER.pt`), or nil.
    public func canonicalPath(_ path: String) -> String? {
        if let v = variables.index(of: path) { return variables.decls[v].name }
        let parts = path.split(separator: ".", maxSplits: 1)
        guard parts.count == 2,
              let instance = instances.first(where: { $0.name.uppercased() == parts[0].uppercased() }),
              let pin = instance.interface.index(of: String(parts[1])) else { return nil }
        return "\(instance.name).\(instance.interface.decls[pin].name)"
    }

    /// Applies the requests submitted since the last scan (on the scan thread, before the scan) and
    /// rebuilds the forced schedule when the forces changed; returns what changed, for the log.
    func applyOnline(_ requests: [OnlineControl.Request]) -> [OnlineControl.Change] {
        var changes: [OnlineControl.Change] = []
        var forcesChanged = false
        for request in requests {
            switch request {
            case .write(let path, let value), .force(let path, let value):
                guard let type = type(of: path) else { continue }
                let old = self.value(of: path).map { IECLiteral.format($0, as: type) } ?? ""
                try? setValue(value, of: path)
                if case .force = request {
                    forces[path] = value
                    forcesChanged = true
                }
                changes.append(.init(request: request, path: path, old: old, new: IECLiteral.format(value, as: type)))
            case .unforce(let path):
                guard let value = forces.removeValue(forKey: path), let type = type(of: path) else { continue }
                forcesChanged = true
                changes.append(.init(request: request, path: path, old: IECLiteral.format(value, as: type), new: "unforced"))
            case .unforceAll:
                for (path, value) in forces.sorted(by: { $0.key < $1.key }) {
                    let type = type(of: path) ?? .bool
                    changes.append(.init(request: request, path: path, old: IECLiteral.format(value, as: type), new: "unforced"))
                }
                forcesChanged = !forces.isEmpty
                forces.removeAll()
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
        var before: [Int: [Int]] = [:], after: [Int: [Int]] = [:]   // call step -> forced values
        var variableWrites: [UnsafeMutableRawPointer: Int] = [:]      // a variable's address -> forced value
        var atStart: [Int] = []
        for (path, value) in forces.sorted(by: { $0.key < $1.key }) {
            if let v = variables.index(of: path) {
                let ref = storage.slots[v]
                forcedValues.append(.ref(ref, value))
                variableWrites[ref.address] = forcedValues.count - 1
                atStart.append(forcedValues.count - 1)
            } else if let (instance, pin) = pinIndex(path) {
                let decl = instance.interface.decls[pin]
                forcedValues.append(pin < instance.pins.count ? .ref(instance.pins[pin], value) : .boxed(instance.block, pin, value))
                let object = Unmanaged.passUnretained(instance.block as AnyObject).toOpaque()
                if decl.scope == .input { before[object.hashValue, default: []].append(forcedValues.count - 1) }
                else { after[object.hashValue, default: []].append(forcedValues.count - 1) }
            }
        }
        var schedule: [Step] = atStart.map { .force($0) }
        for step in compiledSteps {
            if case .call(let object, _) = step, let list = before[object.hashValue] { schedule += list.map { .force($0) } }
            schedule.append(step)
            if case .call(let object, _) = step, let list = after[object.hashValue] { schedule += list.map { .force($0) } }
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

    /// The instance and pin number of `instance.pin` (a canonical path).
    private func pinIndex(_ path: String) -> (Instance, Int)? {
        let parts = path.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let instance = instances.first(where: { $0.name == parts[0] }),
              let pin = instance.interface.index(of: String(parts[1])) else { return nil }
        return (instance, pin)
    }

    /// The forced paths with their values as literals, sorted (for pages, metrics and the stop line).
    public var forcedList: [(path: String, value: String)] {
        forces.sorted { $0.key < $1.key }.map { ($0.key, IECLiteral.format($0.value, as: type(of: $0.key) ?? .bool)) }
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
