import Foundation
import PLCCore
import PLCModbus
import PLCStructuredTextModbus
import Testing
@testable import PLCStructuredText

/// The ModbusFB stand-ins run on a real bus worker against the RX380 simulator over TCP.
@Suite(.serialized) struct ModbusStandInTests {
    static let source = """
        FUNCTION_BLOCK Poll
        VAR_INPUT xGo : BOOL; udiReply : UDINT := 50000; END_VAR
        VAR_OUTPUT xDone : BOOL; xBusy : BOOL; xError : BOOL; eError : ModbusFB.Error; udiException : UDINT;
            w0 : WORD; w45 : WORD; END_VAR
        VAR meter : ModbusFB.ClientTCP; fb : ModbusFB.ClientRequestReadInputRegisters; aw : ARRAY[0..45] OF WORD; END_VAR
        meter(xConnect := TRUE);
        fb(rClient := meter, xExecute := xGo, uiUnitId := 1, uiStartItem := 4000, uiQuantity := 46, pData := ADR(aw),
           udiReplyTimeout := udiReply);
        xDone := fb.xDone; xBusy := fb.xBusy; xError := fb.xError; eError := fb.eErrorID;
        udiException := TO_UDINT(fb.eException);
        w0 := aw[0]; w45 := aw[45];
        END_FUNCTION_BLOCK
        """

    /// Runs Poll with xGo TRUE in scans 10 ms of real time apart until it is done or failed.
    func poll(fault: RX380Simulator.Fault, replyTimeout: Int64) throws -> (STInstance, [UInt16]) {
        let simulator = RX380Simulator(slave: 1, frozen: true)
        let port = try simulator.startTCP()
        defer { simulator.stop() }
        var settings = BusSettings(transport: .tcp(host: "127.0.0.1", port: port))
        settings.responseTimeout = 1000
        let worker = BusWorker(name: "st", settings: settings)
        worker.start()
        defer { worker.stop() }
        // The image, read directly, to compare with.
        let mailbox = ModbusMailbox()
        worker.submit(ModbusRequest(slave: 1, function: 4, address: 4000, count: 46, mailbox: mailbox))
        var image: [UInt16] = []
        for _ in 0..<500 {
            if let reply = mailbox.take() { image = reply.registers; break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        simulator.fault = fault
        let library = try STLibrary.load(sources: [("poll.st", Self.source)])
        let machine = library.makeMachine()
        machine.modbus = BusWorkerBus(worker: worker)
        let instance = try #require(machine.instantiate("Poll"))
        instance[pin: instance.interface.index(of: "udiReply")!] = .int(replyTimeout)
        instance[pin: instance.interface.index(of: "xGo")!] = .bool(true)
        let start = Date()
        for _ in 0..<300 {
            let ms = Int64(Date().timeIntervalSince(start) * 1000)
            instance.execute(ScanContext(time: ms))
            if instance.value(of: "xDone") == .bool(true) || instance.value(of: "xError") == .bool(true) { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return (instance, image)
    }

    @Test func readsTheRegistersThroughPData() throws {
        let (poll, image) = try poll(fault: .none, replyTimeout: 500_000)
        #expect(image.count == 46)
        #expect(poll.value(of: "xDone") == .bool(true))
        #expect(poll.value(of: "eError") == .int(0))
        #expect(poll.value(of: "w0") == .int(Int64(image[0])))
        #expect(poll.value(of: "w45") == .int(Int64(image[45])))
    }

    @Test func aReplySlowerThanUdiReplyTimeoutIsAReplyTimeout() throws {
        // The library's default of 50 ms is shorter than a 46-register reply at 19200 baud (about 56 ms).
        let (poll, _) = try poll(fault: .delay(200), replyTimeout: 50_000)
        #expect(poll.value(of: "xError") == .bool(true))
        #expect(poll.value(of: "eError") == .int(56))     // ModbusFB.Error.ReplyTimeout
    }

    @Test func anExceptionReplyCarriesItsCode() throws {
        let (poll, _) = try poll(fault: .exception(2), replyTimeout: 500_000)
        #expect(poll.value(of: "xError") == .bool(true))
        #expect(poll.value(of: "eError") == .int(51))     // ModbusFB.Error.RequestException
        #expect(poll.value(of: "udiException") == .int(2))
    }
}
