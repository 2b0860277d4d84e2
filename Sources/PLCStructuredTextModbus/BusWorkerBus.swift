public import PLCModbus
public import PLCStructuredText

/// Puts a PLCModbus bus worker behind the ModbusFB stand-ins of an ST machine: requests are queued
/// on the worker's thread, replies picked up by the requesting block in a later scan.
public final class BusWorkerBus: STModbusBus {
    private let worker: BusWorker
    private var pending: [Int: ModbusMailbox] = [:]
    private var nextTicket = 1

    /// Sends the machine's requests to `worker` (started and stopped by its owner).
    public init(worker: BusWorker) {
        self.worker = worker
    }

    /// The worker reconnects by itself; a request on a closed port comes back as error 102.
    public var isConnected: Bool { true }

    public func startRead(slave: Int, function: UInt8, address: Int, count: Int) -> Int {
        let ticket = nextTicket
        nextTicket += 1
        let mailbox = ModbusMailbox()
        pending[ticket] = mailbox
        worker.submit(ModbusRequest(slave: slave, function: function, address: address, count: count, mailbox: mailbox))
        return ticket
    }

    public func poll(_ ticket: Int) -> STModbusResult? {
        guard let reply = pending[ticket]?.take() else { return nil }
        pending[ticket] = nil
        if let error = reply.error { return .failure(code: error.code) }
        return .registers(reply.registers)
    }

    public func cancel(_ ticket: Int) {
        pending[ticket] = nil
    }
}
