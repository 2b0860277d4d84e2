import PLCGraph
import PLCMeters
import PLCModbus

/// `plc run --simulate`: one in-process simulator on loopback serving every slave the program's
/// buses use (each MeterRead's model at its slave; the bus's `slave` as an RX380 for ModbusRead).
enum SimulatedBus {
    /// Starts the simulator and points every bus of `file` at it.
    static func start(_ file: inout ProgramFile) throws -> ModbusSimulator {
        let catalog = MeterCatalog.standard(near: file.path)
        var devices: [Int: SimulatedMeter] = [:]
        do {
            for meter in try MeterSetup.meters(in: file) where devices[meter.slave] == nil {
                devices[meter.slave] = SimulatedMeter(model: try catalog.load(meter.model, file: file.path, line: meter.line),
                                                      slave: meter.slave)
            }
            if file.instances.contains(where: { $0.type.uppercased() == "MODBUSREAD" }) || devices.isEmpty {
                for bus in file.buses {
                    let slave = Int(bus.value("slave") ?? "1") ?? 1
                    if devices[slave] == nil {
                        devices[slave] = SimulatedMeter(model: try catalog.load("rx380", file: file.path), slave: slave)
                    }
                }
            }
        } catch {
            throw fail(error)
        }
        let simulator = ModbusSimulator(devices: devices)
        let port: Int
        do {
            port = try simulator.startTCP()
        } catch {
            throw fail("plc run --simulate: \(error.reason)")
        }
        for i in file.buses.indices {
            file.buses[i].settings += [("kind", "tcp", 0), ("host", "127.0.0.1", 0), ("port", String(port), 0)]
        }
        let served = devices.keys.sorted().map { "\(devices[$0]!.model.name)@\($0)" }.joined(separator: " ")
        note("\(file.name): --simulate: \(served) simulated on tcp 127.0.0.1:\(port)")
        return simulator
    }
}
