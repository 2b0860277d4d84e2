public import PLCCore
public import PLCGraph
public import PLCModbus
import PLCRuntime
public import PLCStorage
import PLCMeters

/// A program with everything it needs to run, started in order and stopped in reverse.
///
/// The one place that assembles a runtime, for `plc run`, `plc bench` and the tests: the simulator
/// (when asked) before the buses that point at it, the buses and the storage writer before the first
/// scan; on stop, the blocks hand over what must not be lost, then storage writes every queued row,
/// then the buses close, then the simulator.
public final class RuntimeAssembly {
    /// Why a program cannot be assembled; `description` is the one-line (or per-line) message.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let file: ProgramFile
    /// The set-up this runtime started (the same one `plc check` makes).
    public let setup: ProgramSetup
    public let program: CompiledProgram
    public let modbus: ModbusIO
    public let storage: StorageIO
    /// The built-in simulators `--simulate` started, one per bus (the slaves that bus reads).
    public let simulators: [ModbusSimulator]
    /// The first bus's simulator, if any: the one of a program with one bus.
    public var simulator: ModbusSimulator? { simulators.first }
    let group: ServiceGroup
    // The runtime's own sinks per location, on the scan thread: MQTT, SQL and the InfluxDB file,
    // as the runtime settings ask; each gets its locations after their first scan.
    // `@exclusivity(unchecked)` spares each scan the runtime's dynamic exclusivity checks
    // (swift_beginAccess), which only catch overlapping accesses on one thread.
    @exclusivity(unchecked) var locationMqtt: LocationMqtt?
    @exclusivity(unchecked) var locationSql: LocationSql?
    @exclusivity(unchecked) var locationInflux: LocationInflux?
    @exclusivity(unchecked) private var sinksStarted = false
    /// Blocks an online change added: their locations' sinks start after their first scan.
    @exclusivity(unchecked) var sinkBlocksAdded: Set<ObjectIdentifier> = []
    /// Once-per-outage lines of the runtime's own MQTT clients and SQL forwarders.
    @exclusivity(unchecked) var sinkOutages = SinkOutages()
    @exclusivity(unchecked) var sqlNudges = LocationSql.Nudges()
    let note: @Sendable (String) -> Void
    /// The services each block brought (`ServiceOwner`), so an online change can stop a dropped block's.
    var owned: [ObjectIdentifier: [any RuntimeService]] = [:]
    /// Serialises online changes (any thread may ask for one).
    let changing = ThreadLock()

    /// Sets up `file` (`ProgramSetup`) and starts its services; `simulate` first starts the
    /// simulators on loopback, one per bus serving the slaves it reads, and points each bus at its own.
    /// `note` receives status lines.
    public convenience init(file: ProgramFile, library: BlockLibrary, simulate: Bool = false,
                            settings: RuntimeSettings = RuntimeSettings(), note: @escaping @Sendable (String) -> Void = { _ in }) throws(Failure) {
        var file = file
        let group = ServiceGroup(log: note)
        var simulators: [ModbusSimulator] = []
        if simulate {
            simulators = try SimulatedBus.start(&file, note: note)
            for simulator in simulators { try? group.start(SimulatorService(simulator)) }
        }
        let setup: ProgramSetup
        do {
            setup = try ProgramSetup(file: file, library: library, settings: settings)
        } catch {
            group.stop()
            throw error
        }
        try self.init(setup: setup, group: group, simulators: simulators, note: note)
    }

    /// Starts the services of a program already set up (see `init(setup:group:simulators:note:)`).
    public convenience init(setup: ProgramSetup, note: @escaping @Sendable (String) -> Void = { _ in }) throws(Failure) {
        try self.init(setup: setup, group: ServiceGroup(log: note), simulators: [], note: note)
    }

    /// Starts the services of a program already set up: the buses, the storage writer, every
    /// service the program's blocks bring (`ServiceOwner`: SQL forwarders, MQTT clients), all
    /// before the first scan. `simulators` are already running in `group`.
    init(setup: ProgramSetup, group: ServiceGroup, simulators: [ModbusSimulator],
         note: @escaping @Sendable (String) -> Void) throws(Failure) {
        let file = setup.file
        let program = setup.program
        let modbus = setup.modbus
        let name = file.name
        for worker in modbus.workers.values {
            note("\(name): bus \(worker.name): \(worker.settings.summary)")
            worker.onLinkChange = { up, reason in note("\(name): bus \(worker.name) \(up ? "up" : "down"): \(reason)") }
        }
        // One program per serial port: a second one would garble the first one's frames.
        if let held = modbus.claim().first {
            group.stop()
            throw Failure(description: "\(name): \(held)")
        }
        let storage = StorageIO(blocks: program.instances.map(\.block))
        // Online writes and forces, logins and failed logins: one audit line each, in the error log.
        program.onOnlineChange = { changes, context in
            for change in changes {
                note("\(name): online: \(change.line)")
                storage.note("INFO", "online: \(change.line)", at: context.localTime)
            }
        }
        var owned: [ObjectIdentifier: [any RuntimeService]] = [:]
        do {
            try group.start(modbus)
            try group.start(storage)
            for instance in program.instances {
                guard let owner = instance.block as? any ServiceOwner else { continue }
                ConstantInputs.apply(to: instance, of: program)
                let services = try owner.makeServices()
                for service in services { try group.start(service) }
                owned[ObjectIdentifier(owner as AnyObject)] = services
            }
            try group.start(ProgramService(program))
        } catch {
            group.stop()
            throw Failure(description: "\(name): \(error)")
        }
        self.file = file
        self.setup = setup
        self.program = program
        self.modbus = modbus
        self.storage = storage
        self.simulators = simulators
        self.group = group
        self.note = note
        self.owned = owned
        locationMqtt = LocationMqtt(program: program, settings: setup.settings)
        locationSql = LocationSql(program: program, settings: setup.settings)
        locationInflux = LocationInflux(settings: setup.settings, writer: storage.writer)
    }

    /// Scan thread, after each scan: what the runtime's own sinks send (MQTT per location). After
    /// the first scan, the runtime's own MQTT clients and SQL forwarders of every location start:
    /// the locations' names, columns and folders may be computed, and are wired by then; after
    /// the first scan of blocks an online change added, theirs.
    public func afterScan() {
        if !sinksStarted {
            sinksStarted = true
            startSinks(of: nil)
        } else if !sinkBlocksAdded.isEmpty {
            startSinks(of: sinkBlocksAdded)
            sinkBlocksAdded = []
        }
        locationMqtt?.afterScan()
        locationInflux?.afterScan()
        sqlNudges.afterScan()
    }

    /// Scan thread: starts the sinks of the locations among `blocks` (nil: every block).
    private func startSinks(of blocks: Set<ObjectIdentifier>?) {
        for (location, client) in locationMqtt?.add(from: program, blocks: blocks) ?? [] {
            client.start()
            group.adopt(client)
            // Down for 5 s, as MqttPublish's xFault: a quick reconnect is no outage.
            sinkOutages.add(location, owner: client, grace: 5_000_000_000) {
                guard let status = client.worker?.status, !status.connected else { return nil }
                return status.error.isEmpty ? "MQTT broker not connected" : status.error
            }
        }
        locationInflux?.add(from: program, blocks: blocks)
        for (location, source, forwarder) in locationSql?.add(from: program, blocks: blocks) ?? [] {
            forwarder.start()
            group.adopt(forwarder)
            sinkOutages.add(location, owner: forwarder) { forwarder.worker?.status.fault?.description }
            sqlNudges.add(source, forwarder)
        }
    }

    /// Scan thread, as an online change swaps in: the sinks of `removed` blocks' locations are let
    /// go and returned, for the caller to stop off the scan thread; those of `added` blocks start
    /// after their first scan.
    func followSinks(added: [any FunctionBlock], removed: [any FunctionBlock]) -> [any RuntimeService] {
        let gone = Set(removed.map { ObjectIdentifier($0 as AnyObject) })
        var stopped: [any RuntimeService] = []
        if !gone.isEmpty {
            let clients = locationMqtt?.remove(blocks: gone) ?? []
            let forwarders = locationSql?.remove(blocks: gone) ?? []
            locationInflux?.remove(blocks: gone)
            sqlNudges.remove(forwarders)
            sinkOutages.remove(clients + forwarders)
            stopped = clients + forwarders
            for service in stopped { group.remove(service) }
        }
        if sinksStarted { sinkBlocksAdded.formUnion(added.map { ObjectIdentifier($0 as AnyObject) }) }
        return stopped
    }

    /// The services running, in start order (`plc check`-style names: "bus main", "sql office", ...).
    public var services: [String] { group.running }

    /// Says that the wall clock stepped by `ms` (negative: back): on `note` (the journal) and once
    /// in every error log the program writes, stamped with the new `localTime`. The task calls it
    /// on the scan thread (`CyclicTask.onClockStep`).
    public func clockStepped(by ms: Int64, localTime: Int64) {
        let text = "The wall clock stepped \(ms < 0 ? "back" : "forward") by \(CivilTime.duration(abs(ms)))"
            + "; rows keep their wall-clock multiples"
        note("\(file.name): \(text)")
        storage.note("WARNING", text, at: localTime)
    }

    /// Checks the services between scans (at most once a second): a failed one is reported once,
    /// then restarted with back-off or, per its `FailurePolicy`, returned here: the runtime must stop
    /// and exit non-zero. Call on the scan thread, after a scan.
    /// The runtime's own sinks' outages are written here too, one line when each starts and ends.
    public func supervise(now: Int64 = MonotonicTime.nanoseconds()) -> String? {
        sinkOutages.check(now: now) { level, text in
            note("\(file.name): \(text)")
            storage.note(level, text, at: ErrorLogRoute.localNow())
        }
        return group.supervise(now: now).map { "\(file.name): \($0)" }
    }

    /// Stops everything in reverse order; call after the last scan. Values still forced are named
    /// once (forces end with the run).
    public func stop() {
        let forced = program.forcedList
        if !forced.isEmpty {
            note("\(file.name): forces end with this run: " + forced.map { "\($0.path) = \($0.value)" }.joined(separator: ", "))
        }
        group.stop()
    }
}

/// The built-in simulator as a service: already listening when added, stopped last.
private final class SimulatorService: RuntimeService {
    let simulator: ModbusSimulator
    init(_ simulator: ModbusSimulator) { self.simulator = simulator }
    var serviceName: String { "simulator" }
    func start() {}
    func stop() { simulator.stop() }
    /// The runtime stops when the simulator stops serving: the buses would read nothing (docs/services.md).
    var failure: String? { simulator.hasEnded ? "its serving thread ended by itself" : nil }
}

/// The program's I/O blocks as a service: on stop, after the last scan, each hands over what must not
/// be lost (a pending row, the shutdown log line) before storage stops.
private final class ProgramService: RuntimeService {
    let program: CompiledProgram
    init(_ program: CompiledProgram) { self.program = program }
    var serviceName: String { "program \(program.name)" }
    func start() {}
    func stop() { for block in program.ioBlocks { block.shutdown() } }
}
