public import PLCCore

/// A checked program compiled into a flat schedule: block calls and typed copies in execution order.
///
/// A scan walks the schedule once: every wire is a copy between two fixed addresses (a pin or a
/// program variable) of one storage kind, so a scan does no look-up by name, boxes no value and
/// allocates nothing. Names are only used by `value(of:)` and `setValue(_:of:)`, for monitoring and
/// `--set`, outside the scan.
public final class CompiledProgram {
    /// One block instance of the program.
    public struct Instance {
        public let name: String
        public let block: any FunctionBlock
        /// The block type's variable table (the same for every instance of the type).
        public let interface: VarTable
        /// The instance's pins with their addresses; empty for a block without pin wrappers.
        public let pins: [PinRef]
        /// The bus an I/O block uses (nil: the program's only bus).
        public let bus: String?
        public let line: Int
        /// The input pins the program file feeds (upper-cased names), so I/O modules know which
        /// settings a program left to their defaults.
        public internal(set) var wiredInputs: Set<String> = []

        /// True when the program feeds input `pin` (by name, any case).
        public func isWired(_ pin: String) -> Bool { wiredInputs.contains(pin.uppercased()) }
    }

    /// One end of a copy: a pin or variable at a fixed address, or (for a block without pin
    /// wrappers) an instance's pin number; `element` picks one element of an array.
    enum Endpoint {
        case ref(PinRef, element: Int?)
        case pin(Int, Int, element: Int?)
    }

    /// One step of the schedule.
    enum Step {
        /// Runs a block: its unretained address and its type (the program keeps it alive in `instances`).
        case call(UnsafeMutableRawPointer, any FunctionBlock.Type)
        case copy1(UnsafeRawPointer, UnsafeMutableRawPointer)
        case copy2(UnsafeRawPointer, UnsafeMutableRawPointer)
        case copy4(UnsafeRawPointer, UnsafeMutableRawPointer)
        case copy8(UnsafeRawPointer, UnsafeMutableRawPointer)
        case not(UnsafeRawPointer, UnsafeMutableRawPointer)
        case copyString(UnsafePointer<String>, UnsafeMutablePointer<String>)
        case copyBytes(UnsafeRawPointer, UnsafeMutableRawPointer, Int)
        case copyStrings(UnsafePointer<String>, UnsafeMutablePointer<String>, Int)
        /// A copy through `IECValue`, for blocks that declare their pins by hand: an index into `boxed`.
        case boxed(Int)
        /// Stores a forced value (online mode): an index into `forcedValues`.
        case force(Int)

        /// Where a copy writes (nil for a call, a boxed copy or a force).
        var destination: UnsafeMutableRawPointer? {
            switch self {
            case .copy1(_, let d), .copy2(_, let d), .copy4(_, let d), .copy8(_, let d), .not(_, let d), .copyBytes(_, let d, _):
                d
            case .copyString(_, let d), .copyStrings(_, let d, _):
                UnsafeMutableRawPointer(d)
            case .call, .boxed, .force:
                nil
            }
        }
    }

    /// A copy that converts through `IECValue` (kept out of `Step` so a step stays a trivial value:
    /// reading one from the schedule then costs no reference counting).
    struct BoxedCopy {
        let from: Endpoint
        let to: Endpoint
        let negate: Bool
    }

    public let name: String
    /// The program as loaded (the edited one after an online change).
    public internal(set) var file: ProgramFile
    /// The program's variable table (VAR and VAR_GLOBAL).
    public internal(set) var variables: VarTable
    public internal(set) var instances: [Instance]
    /// The program variables' storage; `slots[i]` is `variables.decls[i]`.
    var storage: SlotStorage
    /// Instance indices in execution order.
    public internal(set) var order: [Int]
    /// The wires marked as feedback, as "source -> instance.pin" text, for `plc check`.
    public internal(set) var feedbackWires: [String]
    // What a scan reads is the scan thread's own: `@exclusivity(unchecked)` spares each scan the
    // runtime's dynamic exclusivity checks (swift_beginAccess, a thread-local access set), which
    // only ever catch overlapping accesses on one thread, and a scan makes none.
    /// The schedule a scan walks: the compiled one, or (while values are forced) a copy with force steps.
    @exclusivity(unchecked) private var steps: UnsafeMutableBufferPointer<Step>
    /// The schedule as compiled.
    var compiledSteps: [Step]
    @exclusivity(unchecked) var boxed: [BoxedCopy]
    /// Online writes and forces waiting for the next scan (any thread submits).
    public let online = OnlineControl()
    /// Called on the scan thread, before the scan, with what online requests changed and the scan's
    /// context (for the error log's audit lines, stamped with the scan's local time).
    public var onOnlineChange: (([OnlineControl.Change], ScanContext) -> Void)?
    /// The forced values by path (scan thread only).
    public internal(set) var forces: [String: IECValue] = [:]
    /// The values the force steps store.
    @exclusivity(unchecked) var forcedValues: [ForcedValue] = []
    /// The I/O blocks, for the executor's input and output image phases.
    @exclusivity(unchecked) public internal(set) var ioBlocks: [any IOBlock]
    /// Online changes waiting for the scan thread (see `OnlineChange.swift`).
    let swap = OnlineSwap()
    /// What other threads may name in an online request; replaced at an online change.
    let catalogEntries: CatalogEntries
    /// Literals for the inputs of blocks a running program owns, stored when this program is swapped
    /// in (an online change compiles beside the running program and must not write into its blocks).
    var pendingLiterals: [(Endpoint, IECValue)] = []
    /// Counts the online changes swapped in: whoever caches names or addresses of the program
    /// (the dashboard, the retain store) rebuilds when it changes.
    @exclusivity(unchecked) public internal(set) var generation = 0
    /// How long the last online change's swap took on the scan thread, in ns (part of that scan).
    public internal(set) var lastSwapNanoseconds: Int64 = 0
    /// The variable storages of earlier versions, kept alive for a reader that has not rebuilt yet.
    var retired: [SlotStorage] = []

    init(file: ProgramFile, variables: VarTable, storage: SlotStorage, instances: [Instance], order: [Int],
         steps: [Step], boxed: [BoxedCopy], feedbackWires: [String]) {
        self.name = file.name
        self.file = file
        self.variables = variables
        self.storage = storage
        self.instances = instances
        self.order = order
        self.steps = .allocate(capacity: steps.count)
        _ = self.steps.initialize(from: steps)
        self.compiledSteps = steps
        self.boxed = boxed
        self.feedbackWires = feedbackWires
        self.ioBlocks = order.compactMap { instances[$0].block as? any IOBlock }
        self.catalogEntries = CatalogEntries()
    }

    deinit {
        steps.deinitialize()
        steps.deallocate()
    }

    /// The input image, at a scan's start: each I/O block takes what its worker finished since the last scan.
    public func readInputs() { for io in ioBlocks { io.readInputs() } }

    /// The output image, at a scan's end: each I/O block hands this scan's requests to its worker.
    public func writeOutputs() { for io in ioBlocks { io.writeOutputs() } }

    /// Walks `schedule` from now on (nil: the compiled one again); between scans only.
    func useSchedule(_ schedule: [Step]?) {
        let next = schedule ?? compiledSteps
        steps.deinitialize()
        steps.deallocate()
        steps = .allocate(capacity: next.count)
        _ = steps.initialize(from: next)
    }

    /// Runs one scan of the program: every step of the schedule, in order; first the online
    /// requests submitted since the last scan.
    public func scan(_ context: ScanContext) {
        if let requests = online.take() {
            let changes = applyOnline(requests)
            if !changes.isEmpty { onOnlineChange?(changes, context) }
        }
        if swap.isWaiting { takeOnlineChange(context) }
        // An index loop: a for-in over the buffer allocates an iterator in debug builds.
        var n = 0
        let count = steps.count
        while n < count {
            switch steps[n] {
            case .call(let object, let type):
                type.execute(unretained: object, context)
            case .copy1(let s, let d):
                d.storeBytes(of: s.load(as: UInt8.self), as: UInt8.self)
            case .copy2(let s, let d):
                d.storeBytes(of: s.load(as: UInt16.self), as: UInt16.self)
            case .copy4(let s, let d):
                d.storeBytes(of: s.load(as: UInt32.self), as: UInt32.self)
            case .copy8(let s, let d):
                d.storeBytes(of: s.load(as: UInt64.self), as: UInt64.self)
            case .not(let s, let d):
                d.storeBytes(of: !s.load(as: Bool.self), as: Bool.self)
            case .copyString(let s, let d):
                // A wire carries the same string scan after scan: when the destination already holds
                // it (the same bits: one storage, or the same small string), the copy is a no-op, and
                // skipping it spares a retain and a release, which write the storage's cache line.
                if !Self.sameBits(s, d) { d.pointee = s.pointee }
            case .copyBytes(let s, let d, let bytes):
                d.copyMemory(from: s, byteCount: bytes)
            case .copyStrings(let s, let d, let count):
                d.update(from: s, count: count)
            case .boxed(let index):
                let copy = boxed[index]
                var value = load(copy.from)
                if copy.negate { value = .bool(!value.bool) }
                store(value, copy.to)
            case .force(let index):
                forcedValues[index].apply()
            }
            n += 1
        }
    }

    /// True when the two strings are the same value bit for bit (then assigning one to the other changes nothing).
    @inline(__always)
    private static func sameBits(_ a: UnsafePointer<String>, _ b: UnsafeMutablePointer<String>) -> Bool {
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        // Word by word: a String is 2 words on 64-bit targets, 3 on 32-bit ones (a constant loop).
        var offset = 0
        while offset < MemoryLayout<String>.size {
            if x.load(fromByteOffset: offset, as: UInt.self) != y.load(fromByteOffset: offset, as: UInt.self) { return false }
            offset += MemoryLayout<UInt>.size
        }
        return true
    }

    private func load(_ endpoint: Endpoint) -> IECValue {
        switch endpoint {
        case .ref(let ref, let element):
            return element.map { ref.loadElement($0) } ?? ref.load()
        case .pin(let i, let pin, let element):
            let block = instances[i].block
            return element.map { block.element(pin, $0) } ?? block[pin: pin]
        }
    }

    func store(_ value: IECValue, _ endpoint: Endpoint) {
        switch endpoint {
        case .ref(let ref, let element):
            if let element { ref.storeElement(element, value) } else { ref.store(value) }
        case .pin(let i, let pin, let element):
            let block = instances[i].block
            if let element { block.setElement(pin, element, value) } else { block[pin: pin] = value }
        }
    }

    // MARK: - Monitoring

    /// The value of a program variable (`PollInterval`) or an instance pin (`pollTimer.Q`).
    public func value(of path: String) -> IECValue? {
        if let v = variables.index(of: path) { return storage.slots[v].load() }
        guard let (instance, pin) = resolvePin(path) else { return nil }
        return instance.pins.isEmpty ? instance.block[pin: pin] : instance.pins[pin].load()
    }

    /// The declared type of `path`, or nil.
    public func type(of path: String) -> IECType? {
        if let d = variables.decl(path) { return d.type }
        guard let (instance, pin) = resolvePin(path) else { return nil }
        return instance.interface.decls[pin].type
    }

    /// Writes a program variable or an instance pin, after checking the value fits its type.
    public func setValue(_ value: IECValue, of path: String) throws(IECError) {
        guard let type = type(of: path) else { throw IECError("no variable or pin named '\(path)'") }
        guard value.fits(type) else { throw IECError("value does not fit \(path) : \(type.name)") }
        if let v = variables.index(of: path) {
            storage.slots[v].store(value)
        } else if let (instance, pin) = resolvePin(path) {
            if instance.pins.isEmpty { instance.block[pin: pin] = value } else { instance.pins[pin].store(value) }
        }
    }

    /// The step that calls `block`, which `instances` keeps alive: a scan pays no retain and release per call.
    static func call(_ block: any FunctionBlock) -> Step {
        .call(Unmanaged.passUnretained(block as AnyObject).toOpaque(), Swift.type(of: block))
    }

    /// The step that copies `from` into `to` (of one IEC type, checked by the compiler), negated for `NOT`;
    /// a copy that must convert through `IECValue` is appended to `boxed`.
    static func copy(_ from: Endpoint, _ to: Endpoint, negate: Bool, boxed: inout [BoxedCopy]) -> Step {
        guard case .ref(let s, let se) = from, case .ref(let d, let de) = to else {
            boxed.append(BoxedCopy(from: from, to: to, negate: negate))
            return .boxed(boxed.count - 1)
        }
        let source = UnsafeRawPointer(se.map { s.elementAddress($0) } ?? s.address)
        let destination = de.map { d.elementAddress($0) } ?? d.address
        let count = se == nil ? s.decl.type.valueCount : 1
        let kind = s.kind
        if negate { return .not(source, destination) }
        if kind == .string {
            let src = source.assumingMemoryBound(to: String.self)
            let dst = destination.assumingMemoryBound(to: String.self)
            return count == 1 ? .copyString(src, dst) : .copyStrings(src, dst, count)
        }
        if count > 1 { return .copyBytes(source, destination, count * kind.size) }
        switch kind.size {
        case 1: return .copy1(source, destination)
        case 2: return .copy2(source, destination)
        case 4: return .copy4(source, destination)
        default: return .copy8(source, destination)
        }
    }

    /// `instance.pin`; the instance may be a path into a flattened function block (`office.csv.udiRows`).
    func resolvePin(_ path: String) -> (Instance, Int)? {
        guard let dot = path.lastIndex(of: ".") else { return nil }
        let name = path[..<dot].uppercased()
        guard let instance = instances.first(where: { $0.name.uppercased() == name }),
              let pin = instance.interface.index(of: path[path.index(after: dot)...]) else { return nil }
        return (instance, pin)
    }

    /// The program variables' values at fixed addresses, in `variables` order (for the retain store).
    public var variableSlots: [PinRef] { storage.slots }

    /// The number of steps in the schedule (calls plus copies).
    public var stepCount: Int { steps.count }
}
