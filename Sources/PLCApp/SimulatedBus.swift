import PLCCore
public import PLCGraph
import PLCMeters
public import PLCModbus

/// `plc run --simulate`: one in-process simulator on loopback serving every slave the program's
/// buses use (each MeterRead's model at its slave; the bus's `slave` as an RX380 for ModbusRead).
public enum SimulatedBus {
    /// Starts the simulator and points every bus of `file` at it.
    public static func start(_ file: inout ProgramFile, note: (String) -> Void) throws(RuntimeAssembly.Failure) -> ModbusSimulator {
        let catalog = MeterCatalog.standard(near: file.path)
        var devices: [Int: SimulatedMeter] = [:]
        do {
            for meter in try MeterSetup.meters(in: file) where devices[meter.slave] == nil {
                devices[meter.slave] = SimulatedMeter(model: try catalog.load(meter.model, file: meter.file, line: meter.line),
                                                      slave: meter.slave)
            }
            // A ModbusRead reads the bus's own slave, served as an RX380.
            let library = BlockLibrary.all
            if file.instances.contains(where: { library.type(named: $0.type) is ModbusRead.Type }) || devices.isEmpty {
                for bus in file.buses {
                    let slave = Int(bus.value("slave") ?? "1") ?? 1
                    if devices[slave] == nil {
                        devices[slave] = SimulatedMeter(model: try catalog.load("rx380", file: file.path), slave: slave)
                    }
                }
            }
        } catch {
            throw RuntimeAssembly.Failure(description: "\(error)")
        }
        let simulator = ModbusSimulator(devices: devices)
        let port: Int
        do {
            port = try simulator.startTCP()
        } catch {
            throw RuntimeAssembly.Failure(description: "plc run --simulate: \(error.reason)")
        }
        for i in file.buses.indices {
            file.buses[i].settings += [.init("kind", "tcp", .runtime("--simulate")),
                                       .init("host", "127.0.0.1", .runtime("--simulate")),
                                       .init("port", String(port), .runtime("--simulate"))]
        }
        let served = devices.keys.sorted().map { "\(devices[$0]!.model.name)@\($0)" }.joined(separator: " ")
        note("\(file.name): --simulate: \(served) simulated on tcp 127.0.0.1:\(port)")
        return simulator
    }
}
