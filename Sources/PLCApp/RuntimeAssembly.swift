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
    public let program: CompiledProgram
    public let modbus: ModbusIO
    public let storage: StorageIO
    /// The built-in simulator `--simulate` started (every slave the program reads), if any.
    public let simulator: ModbusSimulator?
    private let group: ServiceGroup
    private let note: @Sendable (String) -> Void

    /// Compiles `file` (meter blocks get their model files) and starts its services; `simulate` first
    /// starts the simulator on loopback, serving every slave the program reads, and points every bus at it. `note` receives status lines.
    public init(file: ProgramFile, library: BlockLibrary, simulate: Bool = false,
                note: @escaping @Sendable (String) -> Void = { _ in }) throws(Failure) {
        var file = file
        let group = ServiceGroup(log: note)
        var simulator: ModbusSimulator?
        if simulate {
            let sim = try SimulatedBus.start(&file, note: note)
            try? group.start(SimulatorService(sim))
            simulator = sim
        }
        let program: CompiledProgram
        let modbus: ModbusIO
        do throws(ProgramErrors) {
            program = try ProgramCompiler.compile(file, library: library)
            try MeterSetup.configure(program, file: file, catalog: .standard(near: file.path))
            let silent = SilentSettings.check(file, program)
            if !silent.isEmpty { throw ProgramErrors(silent) }
            modbus = try ModbusIO(program: program, file: file)
        } catch {
            group.stop()
            throw Failure(description: error.description)
        }
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
        do {
            try group.start(modbus)
            try group.start(storage)
            try group.start(ProgramService(program))
        } catch {
            throw Failure(description: "\(name): \(error)")
        }
        self.file = file
        self.program = program
        self.modbus = modbus
        self.storage = storage
        self.simulator = simulator
        self.group = group
        self.note = note
    }

    /// Says that the wall clock stepped by `ms` (negative: back): on `note` (the journal) and once
    /// in every error log the program writes, stamped with the new `localTime`. The task calls it
    /// on the scan thread (`CyclicTask.onClockStep`).
    public func clockStepped(by ms: Int64, localTime: Int64) {
        let text = "The wall clock stepped \(ms < 0 ? "back" : "forward") by \(CivilTime.duration(abs(ms)))"
            + "; rows keep their wall-clock multiples"
        note("\(file.name): \(text)")
        storage.note("WARNING", text, at: localTime)
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
