import Foundation
import PLCMeters
import PLCModbus
import Testing

/// The simulator: meters from model files, energy that integrates power, per-slave faults, clock steps.
@Suite("Simulated meters", .serialized)
struct SimulatedMeterTests {
    static func value(_ meter: SimulatedMeter, _ name: String, at t: Double) throws -> Double {
        let v = try #require(meter.model.value(named: name))
        let words = try meter.read(function: v.function, address: v.address, count: v.format.registerCount, seconds: t).get()
        return v.decode(words[...])
    }

    @Test("energy counters rise by the integral of the simulated power, and a reset restarts them from zero")
    func energyIntegratesPower() throws {
        let meter = SimulatedMeter(model: try MeterModelTests.load("sdm630"), slave: 3)
        let e0 = try Self.value(meter, "total_real_energy", at: 0)
        _ = try Self.value(meter, "total_real_energy", at: 1800)
        let e1 = try Self.value(meter, "total_real_energy", at: 3600)
        var expected = 0.0
        for s in stride(from: 0.5, to: 3600, by: 1) {
            expected += max(0, meter.quantities(at: s)["total_real_power"]!) / 3600 / 1000
        }
        #expect(expected > 1, "the simulated load draws more than 1 kWh an hour")
        #expect(abs((e1 - e0) - expected) < 0.05, "rose \(e1 - e0) kWh, power integrates to \(expected) kWh")
        meter.resetCounters()
        let e2 = try Self.value(meter, "total_real_energy", at: 3660)
        #expect(e2 >= 0 && e2 < 0.5, "after a reset: \(e2)")
    }

    @Test("a time that goes backwards neither crashes the simulator nor lowers a counter (issue 16, defect 5)")
    func backwardsTime() throws {
        // The RX380 map used to trap converting a negative energy to UInt32.
        #expect(RX380Map(seconds: -1_000).registers == RX380Map(seconds: 0).registers)
        let meter = SimulatedMeter(model: try MeterModelTests.load("rx380"), slave: 1)
        let later = try Self.value(meter, "total_real_energy", at: 7_200)
        let stepped = try Self.value(meter, "total_real_energy", at: -500)
        #expect(stepped >= later)

        // Through the server with a clock that steps back 1000 s: replies keep coming, counters hold.
        let clock = SteppingClock()
        let simulator = ModbusSimulator(devices: [1: SimulatedMeter(model: try MeterModelTests.load("rx380"), slave: 1)],
                                        clock: { clock.now })
        let port = try simulator.startTCP()
        defer { simulator.stop() }
        let connection = try ModbusConnection(BusSettings(transport: .tcp(host: "127.0.0.1", port: port)))
        try connection.connect()
        var regs: [UInt16] = []
        var energies: [UInt32] = []
        for step in [3_600.0, -1_000, 10, 7_200] {
            clock.advance(seconds: step)
            try connection.readRegisters(function: 4, slave: 1, address: 4002, count: 2, into: &regs)
            energies.append(UInt32(regs[0]) << 16 | UInt32(regs[1]))
        }
        #expect(energies == energies.sorted(), "\(energies)")
        #expect(energies.last! > energies.first!)
    }

    @Test("several slaves of different models on one TCP port, each with its own faults")
    func severalSlaves() throws {
        let simulator = ModbusSimulator(devices: [
            1: SimulatedMeter(model: try MeterModelTests.load("rx380"), slave: 1),
            3: SimulatedMeter(model: try MeterModelTests.load("sdm630"), slave: 3),
            4: SimulatedMeter(model: try MeterModelTests.load("iem3155"), slave: 4),
        ], frozen: true)
        let port = try simulator.startTCP()
        defer { simulator.stop() }
        var settings = BusSettings(transport: .tcp(host: "127.0.0.1", port: port))
        settings.responseTimeout = 300
        let connection = try ModbusConnection(settings)
        try connection.connect()
        var regs: [UInt16] = []
        try connection.readRegisters(function: 4, slave: 1, address: 4000, count: 46, into: &regs)
        try connection.readRegisters(function: 4, slave: 3, address: 0, count: 76, into: &regs)
        let volts = MeterValue(name: "v", function: 4, address: 0, format: .real32)
        #expect((220...240).contains(volts.decode(regs[0..<2])))
        try connection.readRegisters(function: 3, slave: 4, address: 3203, count: 8, into: &regs)
        #expect(throws: ModbusError.exception(2)) {          // beyond the SDM630's 80-register limit
            try connection.readRegisters(function: 4, slave: 3, address: 0, count: 82, into: &regs)
        }
        #expect(throws: ModbusError.exception(1)) {          // the iEM3155 answers FC03 only
            try connection.readRegisters(function: 4, slave: 4, address: 3203, count: 4, into: &regs)
        }
        #expect(simulator.apply(ModbusSimulator.parseCommand("slave 3 exception 6")!))
        #expect(throws: ModbusError.exception(6)) {
            try connection.readRegisters(function: 4, slave: 3, address: 0, count: 2, into: &regs)
        }
        try connection.readRegisters(function: 4, slave: 1, address: 4000, count: 2, into: &regs)
        simulator.setFault(.silent, slave: 1)
        #expect(throws: ModbusError.timeout()) {
            try connection.readRegisters(function: 4, slave: 1, address: 4000, count: 2, into: &regs)
        }
        #expect(simulator.requestCount(slave: 1) == 3 && simulator.requestCount(slave: 3) == 3)
        #expect(!simulator.apply(.fault(.silent, slave: 9)), "slave 9 is not served")
    }

    @Test("stdin commands", arguments: [
        ("silent", ModbusSimulator.Command.fault(.silent, slave: nil)),
        ("slave 3 silent", .fault(.silent, slave: 3)),
        ("slave 2 exception 4", .fault(.exception(4), slave: 2)),
        ("delay 700", .fault(.delay(700), slave: nil)),
        ("reset", .reset(slave: nil)),
        ("slave 1 reset", .reset(slave: 1)),
        ("none", .fault(.none, slave: nil)),
    ])
    func commands(line: String, expected: ModbusSimulator.Command) {
        #expect(ModbusSimulator.parseCommand(line) == expected)
    }

    @Test("bad stdin commands are refused", arguments: ["slave 0 silent", "slave x silent", "exception 0", "delay -1", "loud", "slave 3"])
    func badCommands(line: String) {
        #expect(ModbusSimulator.parseCommand(line) == nil)
    }
}

/// A monotonic-clock seam that a test moves by hand, backwards too.
final class SteppingClock: @unchecked Sendable {
    private let lock = NSLock()
    private var ns: Int64 = 1_000_000_000_000

    var now: Int64 { lock.withLock { ns } }

    func advance(seconds: Double) {
        lock.withLock { ns += Int64(seconds * 1e9) }
    }
}
