import ArgumentParser
import Foundation
import PLCModbus

/// `plc simulate rx380`: serve the RX380 register map, for trying the logger without a meter.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a simulated Mikro RX380 power meter over Modbus TCP or RTU.",
        discussion: """
            Serves the register map of shared/rx380-registers.md on FC03 and FC04 with live-looking values \
            and answers exception 02 outside it. Faults can be switched while it runs by typing a line on \
            standard input: 'silent', 'exception N', 'delay MS' or 'none'.
            """
    )

    @Argument(help: "The device to simulate (only rx380).")
    var device: String

    @Option(help: "Serve Modbus TCP on HOST:PORT (loopback unless you name another address).")
    var tcp: String?

    @Option(help: "Serve Modbus RTU on this serial device (e.g. one end of a socat pty pair).")
    var rtu: String?

    @Option(help: "Slave address (unit id).")
    var slave = 1

    @Option(help: "RTU baud rate.")
    var baud = 19_200

    @Option(help: "RTU parity: N, E or O.")
    var parity = "E"

    @Flag(help: "Serve the values of time 0 forever (a known image for tests).")
    var frozen = false

    func run() throws {
        guard device.lowercased() == "rx380" else { throw fail("plc simulate: unknown device '\(device)' (only rx380)") }
        guard (tcp == nil) != (rtu == nil) else { throw fail("plc simulate: give exactly one of --tcp HOST:PORT or --rtu DEVICE") }
        guard (1...247).contains(slave) else { throw fail("plc simulate: --slave \(slave) must be 1 to 247") }
        let simulator = RX380Simulator(slave: slave, frozen: frozen)
        let stop = StopSignal { simulator.stop() }
        defer { withExtendedLifetime(stop) {} }
        readFaultCommands(simulator)
        do {
            if let tcp {
                let parts = tcp.split(separator: ":")
                guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else {
                    throw fail("plc simulate: --tcp '\(tcp)' must be HOST:PORT, e.g. 127.0.0.1:1502")
                }
                try simulator.serveTCP(host: String(parts[0]), port: port) { bound in
                    note("rx380 simulator: slave \(slave) on tcp \(parts[0]):\(bound)")
                }
            } else if let rtu {
                guard let p = BusSettings.Parity(rawValue: parity.uppercased()) else {
                    throw fail("plc simulate: --parity '\(parity)' must be N, E or O")
                }
                note("rx380 simulator: slave \(slave) on \(rtu) \(baud) 8\(p.rawValue)1")
                try simulator.serveRTU(device: rtu, baud: baud, parity: p)
            }
        } catch let error as ModbusError {
            throw fail("plc simulate: \(error.reason)")
        }
        note("rx380 simulator: stopped after \(simulator.requestCount) requests")
    }

    private func readFaultCommands(_ simulator: RX380Simulator) {
        let thread = Thread {
            while let line = readLine() {
                let text = line.trimmingCharacters(in: .whitespaces)
                if text.isEmpty { continue }
                if let fault = RX380Simulator.parseFault(text) {
                    simulator.fault = fault
                    note("rx380 simulator: fault \(text)")
                } else {
                    note("rx380 simulator: unknown command '\(text)' (silent | exception N | delay MS | none)")
                }
            }
        }
        thread.start()
    }
}
