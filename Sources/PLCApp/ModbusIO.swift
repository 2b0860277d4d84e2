public import PLCCore
public import PLCGraph
public import PLCModbus

/// The Modbus side of a running program: one worker per declared bus, each `BusBlock` attached to its bus.
public final class ModbusIO: RuntimeService {
    /// The workers by bus name.
    public let workers: [String: BusWorker]

    /// Creates the workers and attaches the blocks; every problem is reported with its line.
    /// A bus's `slave` and `function` settings apply to its blocks' pins the program does not wire.
    public init(program: CompiledProgram, file: ProgramFile) throws(ProgramErrors) {
        var errors: [SourceError] = []
        var workers: [String: BusWorker] = [:]
        var defaults: [String: (slave: String?, function: String?)] = [:]
        for bus in file.buses {
            do throws(ProgramErrors) {
                workers[bus.name] = BusWorker(name: bus.name, settings: try BusSettings.parse(bus, file: file.path))
                defaults[bus.name] = (bus.value("slave"), bus.value("function"))
            } catch {
                errors += error.errors
            }
        }
        for instance in program.instances {
            guard let block = instance.block as? any BusBlock else { continue }
            let busName = instance.bus ?? (file.buses.count == 1 ? file.buses[0].name : nil)
            guard let busName else {
                errors.append(SourceError(file: file.path, line: instance.line,
                    "\(instance.name) (\(instance.interface.name)) needs a bus: " + (file.buses.isEmpty
                        ? "declare one under buses" : "the program has several, name one with bus: NAME")))
                continue
            }
            // A declared bus whose settings are wrong has its own error already.
            guard let worker = workers[busName] else { continue }
            block.attach(worker)
            var slave: UInt16?
            var function: UInt8?
            if let text = defaults[busName]?.slave {
                if let v = UInt16(text), v <= 247 { slave = v }
                else { errors.append(SourceError(file: file.path, line: nil, "bus \(busName): slave '\(text)' must be 0 to 247")) }
            }
            if let text = defaults[busName]?.function {
                if let v = UInt8(text), v == 3 || v == 4 { function = v }
                else { errors.append(SourceError(file: file.path, line: nil, "bus \(busName): function '\(text)' must be 3 or 4")) }
            }
            block.applyBusDefaults(slave: slave, function: function, wired: instance.isWired)
        }
        if !errors.isEmpty { throw ProgramErrors(errors) }
        self.workers = workers
    }

    public var serviceName: String { "modbus" }

    /// Opens every bus before the workers start; returns a one-line error for each serial port that
    /// another program holds (a second `plc run` on the same line must not run).
    public func claim() -> [String] {
        workers.values.sorted { $0.name < $1.name }.compactMap { worker in
            worker.claim().map { "bus \(worker.name): \(worker.settings.summary) is in use by \($0); one program per port" }
        }
    }

    /// Starts every worker thread.
    public func start() {
        for worker in workers.values { worker.start() }
    }

    /// Stops every worker and closes its port.
    public func stop() {
        for worker in workers.values { worker.stop() }
    }

    /// The first bus whose worker thread ended by itself: the runtime stops (a program without its
    /// bus reads nothing; docs/services.md).
    public var failure: String? {
        // Supervision asks once a second: sort (an allocation) only when a worker has ended.
        guard workers.values.contains(where: { $0.hasEnded }) else { return nil }
        return workers.values.sorted { $0.name < $1.name }.first { $0.hasEnded }
            .map { "bus \($0.name): its worker thread ended by itself" }
    }
}
