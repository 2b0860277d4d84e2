public import PLCCore

/// A checked program compiled into a flat schedule: block calls and slot copies in execution order.
///
/// A scan walks the schedule once: no look-up by name, no heap allocation. Names are only used by
/// `value(of:)` and `setValue(_:of:)`, for monitoring and `--set`, outside the scan.
public final class CompiledProgram {
    /// One block instance of the program.
    public struct Instance {
        public let name: String
        public let block: any FunctionBlock
        /// The bus an I/O block uses (nil: the program's only bus).
        public let bus: String?
        public let line: Int
    }

    /// Where a copy reads from.
    enum Source {
        case pin(Int, Int)
        case element(Int, Int, Int)
        case variable(Int)
    }

    /// Where a copy writes to.
    enum Destination {
        case pin(Int, Int)
        case element(Int, Int, Int)
        case variable(Int)
    }

    /// One step of the schedule.
    enum Step {
        case call(Int)
        case copy(Source, Destination, negate: Bool)
    }

    public let name: String
    public let file: ProgramFile
    /// The program's variable table (VAR and VAR_GLOBAL).
    public let variables: VarTable
    public let instances: [Instance]
    /// The blocks by instance index, as the scan reads them: `unowned(unsafe)` references, so a scan
    /// pays no retain and release per pin access. `instances` holds the strong references that keep
    /// every block alive as long as the program.
    private let blocks: ContiguousArray<BlockReference>
    /// Variable storage, owned by the program; a buffer so the scan pays no exclusivity checks.
    private let slots: UnsafeMutableBufferPointer<IECValue>
    /// Instance indices in execution order.
    public let order: [Int]
    /// The wires marked as feedback, as "source -> instance.pin" text, for `plc check`.
    public let feedbackWires: [String]
    let steps: [Step]
    /// The I/O blocks, for the executor's input and output image phases.
    public let ioBlocks: [any IOBlock]

    init(file: ProgramFile, variables: VarTable, instances: [Instance], order: [Int], steps: [Step],
         feedbackWires: [String]) {
        self.name = file.name
        self.file = file
        self.variables = variables
        self.slots = .allocate(capacity: variables.decls.count)
        _ = slots.initialize(from: variables.decls.map(\.initial))
        self.instances = instances
        self.blocks = ContiguousArray(instances.map { BlockReference(block: $0.block) })
        self.order = order
        self.steps = steps
        self.feedbackWires = feedbackWires
        self.ioBlocks = order.compactMap { instances[$0].block as? any IOBlock }
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// Runs one scan of the program: every step of the schedule, in order.
    public func scan(_ context: ScanContext) {
        // An index loop: a for-in over the array allocates an iterator buffer in debug builds.
        var n = 0
        while n < steps.count {
            let step = steps[n]
            n += 1
            switch step {
            case .call(let i):
                blocks[i].block.execute(context)
            case .copy(let source, let destination, let negate):
                var value = read(source)
                if negate { value = .bool(!value.bool) }
                write(value, to: destination)
            }
        }
    }

    @inline(__always)
    private func read(_ source: Source) -> IECValue {
        switch source {
        case .pin(let i, let pin): blocks[i].block[pin: pin]
        case .element(let i, let pin, let index): blocks[i].block.element(pin, index)
        case .variable(let v): slots[v]
        }
    }

    @inline(__always)
    private func write(_ value: IECValue, to destination: Destination) {
        switch destination {
        case .pin(let i, let pin): blocks[i].block[pin: pin] = value
        case .element(let i, let pin, let index): blocks[i].block.setElement(pin, index, value)
        case .variable(let v): slots[v] = value
        }
    }

    // MARK: - Monitoring

    /// The value of a program variable (`PollInterval`) or an instance pin (`pollTimer.Q`).
    public func value(of path: String) -> IECValue? {
        if let v = variables.index(of: path) { return slots[v] }
        guard let (instance, pin) = resolvePin(path) else { return nil }
        return instance.block[pin: pin]
    }

    /// The declared type of `path`, or nil.
    public func type(of path: String) -> IECType? {
        if let d = variables.decl(path) { return d.type }
        guard let (instance, pin) = resolvePin(path) else { return nil }
        return Swift.type(of: instance.block).interface.decls[pin].type
    }

    /// Writes a program variable or an instance pin, after checking the value fits its type.
    public func setValue(_ value: IECValue, of path: String) throws(IECError) {
        guard let type = type(of: path) else { throw IECError("no variable or pin named '\(path)'") }
        guard value.fits(type) else { throw IECError("value does not fit \(path) : \(type.name)") }
        if let v = variables.index(of: path) {
            slots[v] = value
        } else if let (instance, pin) = resolvePin(path) {
            instance.block[pin: pin] = value
        }
    }

    private func resolvePin(_ path: String) -> (Instance, Int)? {
        let parts = path.split(separator: ".", maxSplits: 1)
        guard parts.count == 2,
              let instance = instances.first(where: { $0.name.uppercased() == parts[0].uppercased() }),
              let pin = Swift.type(of: instance.block).interface.index(of: parts[1]) else { return nil }
        return (instance, pin)
    }

    /// The number of steps in the schedule (calls plus copies).
    public var stepCount: Int { steps.count }
}

/// A block reference that does not retain: valid while `CompiledProgram.instances` holds the block.
struct BlockReference {
    unowned(unsafe) let block: any FunctionBlock
}
