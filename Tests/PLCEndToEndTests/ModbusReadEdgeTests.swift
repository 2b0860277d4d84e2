import Foundation
import PLCCore
import PLCModbus
import Testing

/// ModbusRead stepped scan by scan against a pymodbus peer: the edge cases the Codesys twin must
/// follow (st-reference/ModbusRead.st), pinned on the Swift block.
@Suite("ModbusRead edge cases against a pymodbus peer", .serialized)
struct ModbusReadEdgeTests {
    /// A block on a worker for `peer` with `timeout` ms response timeout, reading 4000-4045.
    static func reader(port: Int, timeout: Int) -> (ModbusRead, BusWorker) {
        var settings = BusSettings(transport: .tcp(host: "127.0.0.1", port: port))
        settings.responseTimeout = timeout
        let worker = BusWorker(name: "edge", settings: settings)
        worker.start()
        let block = ModbusRead()
        block.attach(worker)
        block.uiUnitId = 1
        block.usiFunction = 4
        block.uiStartItem = 4000
        block.uiQuantity = 46
        return (block, worker)
    }

    /// One scan: input image, the block, output image.
    static func scan(_ block: ModbusRead, execute: Bool, at t: Int64) {
        block.xExecute = execute
        block.readInputs()
        block.execute(ScanContext(time: t))
        block.writeOutputs()
    }

    /// Waits until `worker` has `n` answered or failed requests for slave 1.
    static func waitForReplies(_ worker: BusWorker, _ n: Int) {
        let deadline = Date().addingTimeInterval(5)
        func finished() -> Int {
            let c = worker.counters(slave: 1)
            return Int(c.answered + c.timeouts)
        }
        while finished() < n, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        Thread.sleep(forTimeInterval: 0.05)
    }

    @Test("a rising xExecute in the scan that takes the last reply shows that result; the next edge sends a new frame")
    func sameCycleRetrigger() throws {
        // PLCopen execute behaviour: a job's result is shown for at least the call it ends in, so a
        // rising edge in that same call is ignored like one while busy (ExecuteHandshake). Else a
        // reply that takes exactly one poll period would never show xDone or xError (issue 16).
        let port = freePort()
        let peer = try ModbusPeer(tcp: port, image: MeterImage.registers)
        defer { peer.stop() }
        let (block, worker) = Self.reader(port: port, timeout: 500)
        defer { worker.stop() }
        Self.scan(block, execute: true, at: 0)          // request 1
        Self.scan(block, execute: false, at: 100)       // falling edge while busy
        #expect(block.xBusy)
        Self.waitForReplies(worker, 1)
        Self.scan(block, execute: true, at: 200)        // reply 1 taken, and a rising edge in the same scan
        #expect(block.xValid && block.udiErrorID == 0)
        #expect(block.xDone && !block.xBusy, "the ended job's result is shown; the edge starts nothing")
        Self.scan(block, execute: false, at: 300)
        Self.scan(block, execute: true, at: 400)        // the next rising edge: request 2
        #expect(block.xBusy && !block.xDone)
        Self.waitForReplies(worker, 2)
        Self.scan(block, execute: true, at: 500)
        #expect(block.xDone && !block.xBusy)
        #expect(peer.requests.count == 2, "\(peer.requests)")
    }

    @Test("a reply slower than ModbusFB's 50 ms default but inside the bus's timeout is good; a slower one is 100")
    func replyTimeout() throws {
        let port = freePort()
        let peer = try ModbusPeer(tcp: port, image: MeterImage.registers)
        defer { peer.stop() }
        let (block, worker) = Self.reader(port: port, timeout: 500)
        defer { worker.stop() }
        peer.command("hold 150")                         // about the RX380's 56 ms on the wire, and more
        Self.scan(block, execute: true, at: 0)
        Self.waitForReplies(worker, 1)
        Self.scan(block, execute: true, at: 100)
        #expect(block.xDone && block.xValid, "\(block.sError)")
        peer.command("hold 700")
        Self.scan(block, execute: false, at: 200)
        Self.scan(block, execute: true, at: 300)
        Self.waitForReplies(worker, 2)
        Self.scan(block, execute: true, at: 400)
        #expect(block.xError && block.udiErrorID == 100)
        #expect(block.sError == "Error reading registers 4000-4045 from slave 1: timeout")
    }
}
