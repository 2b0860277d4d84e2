import PLCCore
public import PLCGraph
import PLCMeters
public import PLCModbus

/// `plc run --simulate`: one in-process simulator on loopback per bus, serving the slaves that bus
/// reads (each MeterRead's model at its slave; the bus's `slave` as an RX380 for ModbusRead), so two
/// lines may use the same slave numbers, as real RS-485 lines usually do.
public enum SimulatedBus {
    /// Starts the simulators and points each bus of `file` at its own; one line per bus says what it serves.
    public static func start(_ file: inout ProgramFile, note: (String) -> Void) throws(RuntimeAssembly.Failure) -> [ModbusSimulator] {
        let catalog = MeterCatalog.standard(near: file.path)
        var devices: [String: [Int: SimulatedMeter]] = [:]     // by bus name, then slave
        do {
            for meter in try MeterSetup.meters(in: file) {
                guard let bus = meter.bus ?? file.buses.first?.name, devices[bus]?[meter.slave] == nil else { continue }
                devices[bus, default: [:]][meter.slave] = SimulatedMeter(
                    model: try catalog.load(meter.model, file: meter.file, line: meter.line), slave: meter.slave)
            }
            // A ModbusRead reads its bus's own slave, served as an RX380.
            let library = BlockLibrary.all
            let readsRegisters = file.instances.contains { library.type(named: $0.type) is ModbusRead.Type }
            for bus in file.buses where readsRegisters || devices[bus.name, default: [:]].isEmpty {
                let slave = Int(bus.value("slave") ?? "1") ?? 1
                if devices[bus.name]?[slave] == nil {
                    devices[bus.name, default: [:]][slave] = SimulatedMeter(model: try catalog.load("rx380", file: file.path), slave: slave)
                }
            }
        } catch {
            throw RuntimeAssembly.Failure(description: "\(error)")
        }
        var simulators: [ModbusSimulator] = []
        for i in file.buses.indices {
            let bus = file.buses[i]
            let served = devices[bus.name, default: [:]]
            let simulator = ModbusSimulator(devices: served)
            let port: Int
            do {
                port = try simulator.startTCP()
            } catch {
                simulators.forEach { $0.stop() }
                throw RuntimeAssembly.Failure(description: "plc run --simulate: \(error.reason)")
            }
            simulators.append(simulator)
            file.buses[i].settings += [.init("kind", "tcp", .runtime("--simulate")),
                                       .init("host", "127.0.0.1", .runtime("--simulate")),
                                       .init("port", String(port), .runtime("--simulate"))]
            let list = served.keys.sorted().map { "\(served[$0]!.model.name)@\($0)" }.joined(separator: " ")
            let which = file.buses.count == 1 ? "" : " bus \(bus.name):"
            note("\(file.name): --simulate:\(which) \(list) simulated on tcp 127.0.0.1:\(port)")
        }
        return simulators
    }
}
