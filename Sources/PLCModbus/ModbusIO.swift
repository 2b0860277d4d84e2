import PLCCore
public import PLCGraph

/// The Modbus side of a running program: one worker per declared bus, each `ModbusRead` attached to its bus.
public final class ModbusIO {
    /// The workers by bus name.
    public let workers: [String: BusWorker]

    /// Creates the workers and attaches the blocks; every problem is reported with its line.
    /// A bus's `slave` and `function` settings apply to its blocks whose `uiUnitId` / `usiFunction` are not wired.
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
        for (index, instance) in program.instances.enumerated() {
            guard let block = instance.block as? ModbusRead else { continue }
            let busName = instance.bus ?? (file.buses.count == 1 ? file.buses[0].name : nil)
            guard let busName else {
                errors.append(SourceError(file: file.path, line: instance.line,
                    "\(instance.name) (ModbusRead) needs a bus: " + (file.buses.isEmpty
                        ? "declare one under buses" : "the program has several, name one with bus: NAME")))
                continue
            }
            // A declared bus whose settings are wrong has its own error already.
            guard let worker = workers[busName] else { continue }
            block.attach(worker)
            let wired = Set(file.instances[index].inputs.map { $0.pin.uppercased() })
            if let text = defaults[busName]?.slave, !wired.contains("UIUNITID") {
                if let v = UInt16(text), v <= 247 { block.uiUnitId = v }
                else { errors.append(SourceError(file: file.path, line: nil, "bus \(busName): slave '\(text)' must be 0 to 247")) }
            }
            if let text = defaults[busName]?.function, !wired.contains("USIFUNCTION") {
                if let v = UInt8(text), v == 3 || v == 4 { block.usiFunction = v }
                else { errors.append(SourceError(file: file.path, line: nil, "bus \(busName): function '\(text)' must be 3 or 4")) }
            }
        }
        if !errors.isEmpty { throw ProgramErrors(errors) }
        self.workers = workers
    }

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
}
