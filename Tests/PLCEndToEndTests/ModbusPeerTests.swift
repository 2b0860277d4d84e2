import Foundation
import PLCBlocks
import PLCModbus
import Testing

/// The runtime's Modbus client against pymodbus, a server this project did not write.
@Suite("Modbus client against a pymodbus server", .serialized)
struct ModbusPeerTests {
    /// Reads the image with FC04 and FC03 and checks the decoded engineering values.
    static func checkReads(_ connection: ModbusConnection) throws {
        for function: UInt8 in [4, 3] {
            var regs: [UInt16] = []
            try connection.readRegisters(function: function, slave: 1, address: 4000, count: 46, into: &regs)
            #expect(regs.count >= 46)
            #expect(Scale.decode(regs[12], regs[13], format: 2, order: 0) == Double(MeterImage.totalPower))
            #expect(Scale.decode(regs[18], 0, format: 0, order: 0) * 0.001 == -0.853)
            #expect(Scale.decode(regs[19], 0, format: 1, order: 0) * 0.01 == 50.02)
            #expect(Scale.decode(regs[34], regs[35], format: 3, order: 0) * 0.1 == 229.70000000000002)
            #expect(Scale.decode(regs[2], regs[3], format: 3, order: 0) == Double(MeterImage.importEnergy))
            #expect(Array(regs[0..<46]) == (4000...4045).map { MeterImage.registers[$0]! })
        }
    }

    @Test("TCP: FC03 and FC04 decode to the values put in the server; exceptions carry their code")
    func tcp() throws {
        let port = freePort()
        let peer = try ModbusPeer(tcp: port, image: MeterImage.registers)
        defer { peer.stop() }
        let connection = try ModbusConnection(BusSettings(transport: .tcp(host: "127.0.0.1", port: port)))
        try connection.connect()
        try Self.checkReads(connection)
        var regs: [UInt16] = []
        #expect(throws: ModbusError.exception(2)) {
            try connection.readRegisters(function: 4, slave: 1, address: 4046, count: 2, into: &regs)
        }
        peer.command("exception 4")
        #expect(throws: ModbusError.exception(4)) {
            try connection.readRegisters(function: 4, slave: 1, address: 4000, count: 2, into: &regs)
        }
        #expect(peer.requests.map(\.function).prefix(2) == [4, 3])
    }

    @Test("RTU over a socat pty pair: the same values, and a timeout when the slave stays silent")
    func rtu() throws {
        let line = try SerialLine()
        let peer = try ModbusPeer(rtu: line.b, image: MeterImage.registers)
        defer { peer.stop() }
        var settings = BusSettings(transport: .rtu(device: line.a, baud: 19_200, parity: .none, dataBits: 8,
                                                   stopBits: 1, rs485: false))
        settings.responseTimeout = 300
        let connection = try ModbusConnection(settings)
        try connection.connect()
        try Self.checkReads(connection)
        var regs: [UInt16] = []
        #expect(throws: ModbusError.exception(2)) {
            try connection.readRegisters(function: 3, slave: 1, address: 3990, count: 20, into: &regs)
        }
        // The slave goes silent: its reply comes after the client gave up (pymodbus answers an
        // unknown slave with exception 4 instead of staying silent, so hold the reply instead).
        peer.command("hold 800")
        #expect(throws: ModbusError.timeout()) {
            try connection.readRegisters(function: 4, slave: 1, address: 4000, count: 2, into: &regs)
        }
        peer.command("normal")
        Thread.sleep(forTimeInterval: 0.8)     // the late reply arrives and is left in the input buffer
        // The late reply is discarded, not taken for the answer to this request.
        try connection.readRegisters(function: 4, slave: 1, address: 4019, count: 1, into: &regs)
        #expect(regs[0] == MeterImage.frequency)
    }

    @Test("a missing serial device is a clear 'not connected' error, not a crash")
    func missingDevice() throws {
        let connection = try ModbusConnection(BusSettings(transport: .rtu(device: "/dev/ttyNOPE9", baud: 19_200,
                                                                          parity: .even, dataBits: 8, stopBits: 1, rs485: false)))
        #expect {
            try connection.connect()
        } throws: { error in
            let e = error as? ModbusError
            return e?.code == ModbusError.notConnectedCode && e?.reason.contains("No such file or directory") == true
        }
    }
}

@Suite("Modbus client: writes, bits, counters", .serialized)
struct ModbusClientMoreTests {
    @Test("FC06 and FC16 writes reach the server and read back; FC01/FC02 read the register's bits")
    func writesAndBits() throws {
        let port = freePort()
        let peer = try ModbusPeer(tcp: port, image: MeterImage.registers)
        defer { peer.stop() }
        let connection = try ModbusConnection(BusSettings(transport: .tcp(host: "127.0.0.1", port: port)))
        try connection.connect()
        try connection.writeRegister(slave: 1, address: 4040, value: 0x1234)
        try connection.writeRegisters(slave: 1, address: 4042, values: [7, 8, 9])
        var regs: [UInt16] = []
        try connection.readRegisters(function: 3, slave: 1, address: 4040, count: 5, into: &regs)
        #expect(Array(regs[0..<5]) == [0x1234, MeterImage.registers[4041]!, 7, 8, 9])
        // The peer logs each request on its stdout, which reaches us a moment after the reply.
        _ = peer.process.waitForLine(timeout: 10) { $0.hasPrefix("REQ 3 ") }
        #expect(Set(peer.requests.map(\.function)).isSuperset(of: [6, 16, 3]))
        // Coils and discrete inputs: pymodbus maps them onto its registers in its own way, so the
        // reference is what mbpoll, another client, reads from the same server.
        for (function, table) in [(UInt8(1), "0"), (UInt8(2), "1")] {
            let bits = try connection.readBits(function: function, slave: 1, address: 4040, count: 16)
            let out = try ModbusRuntimeTests.mbpoll(["-m", "tcp", "-p", String(port), "-a", "1", "-t", table,
                                                     "-r", "4040", "-c", "16", "-0", "-1", "127.0.0.1"])
            let theirs = (4040..<4056).map { a in out.contains("[\(a)]: \t1") }
            #expect(out.contains("[4055]: "), "\(out)")
            #expect(bits == theirs, "FC0\(function): ours \(bits), mbpoll \(theirs)")
            #expect(bits.contains(true))
        }
    }

    @Test("a TCP server that is not there is 'not connected: Connection refused'")
    func connectionRefused() throws {
        let connection = try ModbusConnection(BusSettings(transport: .tcp(host: "127.0.0.1", port: freePort())))
        #expect(throws: ModbusError.notConnected("Connection refused")) { try connection.connect() }
    }

    @Test("the bus worker counts requests, exceptions and timeouts per device, and the last latency")
    func counters() throws {
        let port = freePort()
        let peer = try ModbusPeer(tcp: port, image: MeterImage.registers)
        defer { peer.stop() }
        var settings = BusSettings(transport: .tcp(host: "127.0.0.1", port: port))
        settings.responseTimeout = 200
        let worker = BusWorker(name: "test", settings: settings)
        worker.start()
        defer { worker.stop() }
        func read(_ address: Int, _ count: Int) -> ModbusReply {
            let mailbox = ModbusMailbox()
            worker.submit(ModbusRequest(slave: 1, function: 4, address: address, count: count, mailbox: mailbox))
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline {
                if let reply = mailbox.take() { return reply }
                Thread.sleep(forTimeInterval: 0.005)
            }
            return ModbusReply(registers: [], error: ModbusError(code: 999, reason: "no reply"), latency: 0)
        }
        #expect(read(4000, 46).error == nil)
        #expect(read(4100, 2).error == ModbusError.exception(2))
        peer.command("hold 600")
        #expect(read(4000, 2).error == ModbusError.timeout())
        peer.command("normal")
        let counters = worker.counters(slave: 1)
        #expect(counters.requests == 3)
        #expect(counters.exceptions == 1 && counters.timeouts == 1 && counters.crcErrors == 0)
        #expect(counters.lastLatency > 0 && counters.answered == 2)
        #expect(worker.counters(slave: 2) == DeviceCounters())
    }
}
