import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore
import PLCMeters
import PLCModbus

/// `plc simulate rx380@1 rx380@2 sdm630@3 --rtu DEV`: serve a bus of simulated meters from their model files.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve simulated power meters (one or more slaves) over Modbus TCP or RTU.",
        discussion: """
            Each MODEL[@SLAVE] serves the register map of meters/MODEL.yaml at that slave address with \
            live-looking values; energy counters integrate the simulated power. Requests outside a \
            model's answered ranges get exception 02. Faults can be switched while it runs by typing a line \
            on standard input: 'silent', 'exception N', 'delay MS', 'reset' (energy counters to zero) or \
            'none', for every slave, or prefixed with 'slave N ' for one.
            """
    )

    @Argument(help: "The meters to serve, as MODEL or MODEL@SLAVE (e.g. rx380@1 sdm630@3).")
    var meters: [String]

    @Option(help: "Serve Modbus TCP on HOST:PORT (loopback unless you name another address).")
    var tcp: String?

    @Option(help: "Serve Modbus RTU on this serial device (e.g. one end of a socat pty pair).")
    var rtu: String?

    @Option(help: "Slave address of a single MODEL given without @SLAVE.")
    var slave = 1

    @Option(help: "RTU baud rate.")
    var baud = 19_200

    @Option(help: "RTU parity: N, E or O.")
    var parity = "E"

    @Option(help: "The folder of the meter model files (default: meters/ of this checkout).")
    var modelFolder: String?

    @Flag(help: "Serve the values of time 0 forever (a known image for tests).")
    var frozen = false

    @Flag(help: "Hold each RTU reply for its time on the wire at the line's baud rate.")
    var paced = false

    func run() throws {
        guard (tcp == nil) != (rtu == nil) else { throw fail("plc simulate: give exactly one of --tcp HOST:PORT or --rtu DEVICE") }
        let devices = try Self.devices(meters, defaultSlave: slave, catalog: modelFolder.map { MeterCatalog(folders: [$0]) } ?? .standard())
        let simulator = ModbusSimulator(devices: devices, frozen: frozen)
        simulator.paced = paced
        let names = devices.keys.sorted().map { "\(devices[$0]!.model.name)@\($0)" }.joined(separator: " ")
        let stop = StopSignal { simulator.stop() }
        defer { withExtendedLifetime(stop) {} }
        readCommands(simulator)
        do {
            if let tcp {
                let parts = tcp.split(separator: ":")
                guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else {
                    throw fail("plc simulate: --tcp '\(tcp)' must be HOST:PORT, e.g. 127.0.0.1:1502")
                }
                try simulator.serveTCP(host: String(parts[0]), port: port) { bound in
                    note("simulator: \(names): slave \(devices.keys.sorted().map(String.init).joined(separator: ",")) on tcp \(parts[0]):\(bound)")
                }
            } else if let rtu {
                guard let p = BusSettings.Parity(rawValue: parity.uppercased()) else {
                    throw fail("plc simulate: --parity '\(parity)' must be N, E or O")
                }
                note("simulator: \(names): slave \(devices.keys.sorted().map(String.init).joined(separator: ",")) on \(rtu) "
                     + "\(baud) 8\(p.rawValue)1\(paced ? ", paced" : "")")
                try simulator.serveRTU(device: rtu, baud: baud, parity: p)
            }
        } catch let error as ModbusError {
            throw fail("plc simulate: \(error.reason)")
        }
        note("simulator: stopped after \(simulator.requestCount) requests")
    }

    /// `MODEL[@SLAVE]` arguments as simulated meters by slave address.
    static func devices(_ specs: [String], defaultSlave: Int, catalog: MeterCatalog) throws -> [Int: SimulatedMeter] {
        guard !specs.isEmpty else { throw fail("plc simulate: name at least one meter model, e.g. rx380 or rx380@1 sdm630@3") }
        var devices: [Int: SimulatedMeter] = [:]
        var models: [String: MeterModel] = [:]
        for spec in specs {
            let parts = spec.split(separator: "@", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, let name = parts.first?.lowercased(), !name.isEmpty else {
                throw fail("plc simulate: '\(spec)' must be MODEL or MODEL@SLAVE, e.g. rx380@1")
            }
            let address = parts.count == 2 ? Int(parts[1]) : (specs.count == 1 ? defaultSlave : nil)
            guard let address, (1...247).contains(address) else {
                throw fail("plc simulate: '\(spec)': " + (parts.count == 2 || specs.count == 1
                    ? "the slave address must be 1 to 247" : "with several meters, give each its slave as MODEL@SLAVE"))
            }
            guard devices[address] == nil else { throw fail("plc simulate: slave \(address) is given twice") }
            if models[name] == nil {
                do {
                    models[name] = try catalog.load(name, file: "plc simulate")
                } catch {
                    throw fail(error)
                }
            }
            devices[address] = SimulatedMeter(model: models[name]!, slave: address)
        }
        return devices
    }

    private func readCommands(_ simulator: ModbusSimulator) {
        DetachedThread.start(name: "plc.commands") {
            while let line = readLine() {
                let text = line.trimmingSpaces()
                if text.isEmpty { continue }
                if let command = ModbusSimulator.parseCommand(text), simulator.apply(command) {
                    note(text.lowercased().hasSuffix("reset") ? "simulator: counters \(text)" : "simulator: fault \(text)")
                } else {
                    note("simulator: unknown command '\(text)' ([slave N] silent | exception N | delay MS | reset | none)")
                }
            }
        }
    }
}
