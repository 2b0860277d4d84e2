import Foundation
import PLCModbus

/// The RX380 simulator on loopback TCP with a started bus worker in front of it, for one test.
final class SimulatorBus {
    let simulator = RX380Simulator(slave: 1, frozen: true)
    let worker: BusWorker

    init(responseTimeout: Int) throws {
        let port = try simulator.startTCP()
        var settings = BusSettings(transport: .tcp(host: "127.0.0.1", port: port))
        settings.responseTimeout = responseTimeout
        worker = BusWorker(name: "meter", settings: settings)
        worker.start()
    }

    /// Reads `count` input registers directly through the worker (connecting it), waiting up to 5 s.
    func read(_ address: Int, _ count: Int) -> [UInt16] {
        let mailbox = ModbusMailbox()
        worker.submit(ModbusRequest(slave: 1, function: 4, address: address, count: count, mailbox: mailbox))
        for _ in 0..<500 {
            if let reply = mailbox.take() { return reply.registers }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return []
    }

    deinit {
        worker.stop()
        simulator.stop()
    }
}
