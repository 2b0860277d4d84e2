import Foundation
import PLCCore
import Testing
@testable import PLCStructuredText

/// A ModbusFB bus that answers each request from a script, by start address: registers, or a
/// failure code (the fault script of a test), and records the requests.
final class RegisterScriptBus: STModbusBus, @unchecked Sendable {
    var replies: [Int: STModbusResult]
    private(set) var requests: [(slave: Int, function: UInt8, address: Int, count: Int)] = []
    private var tickets: [Int: Int] = [:]
    init(_ replies: [Int: STModbusResult]) { self.replies = replies }
    var isConnected: Bool { true }
    func startRead(slave: Int, function: UInt8, address: Int, count: Int) -> Int {
        requests.append((slave, function, address, count))
        tickets[requests.count] = address
        return requests.count
    }
    func poll(_ ticket: Int) -> STModbusResult? { tickets[ticket].flatMap { replies[$0] } }
    func cancel(_ ticket: Int) {}
}

/// The generic MeterRead of st-reference/ with the model table `plc export st programs/site_main`
/// committed (GVL_MeterModels: rx380, sdm630), over a scripted ModbusFB.
@Suite struct MeterReadTwinTests {
    static let harness = """
        FUNCTION_BLOCK Harness
        VAR_INPUT xGo : BOOL; sModel : STRING(255) := 'rx380'; END_VAR
        VAR client : ModbusFB.ClientTCP; meter : MeterRead; END_VAR
        client(xConnect := TRUE);
        meter(rClient := client, xExecute := xGo, sModel := sModel, uiUnitId := 7, sLocation := 'Office', tReplyTimeout := T#1S);
        END_FUNCTION_BLOCK
        """

    /// Polls once with `model` over `bus`; the harness after the poll ended (or 50 scans).
    static func poll(_ model: String, _ bus: RegisterScriptBus) throws -> STInstance {
        let library = try STLibrary.load(sources: try LibraryInterfaceTests.reference() + [("harness.st", harness)])
        let machine = library.makeMachine()
        machine.modbus = bus
        let t = try #require(machine.instantiate("Harness"))
        t[pin: try #require(t.interface.index(of: "sModel"))] = .string(model)
        t[pin: try #require(t.interface.index(of: "xGo"))] = .bool(true)
        for i in 0..<50 where t.value(at: "meter.xError") != .bool(true) && t.value(at: "meter.xDone") != .bool(true) {
            t.execute(ScanContext(time: Int64(i) * 10))
        }
        #expect(machine.takeFault() == nil)
        return t
    }

    static func value(_ t: STInstance, _ i: Int) -> IECValue? { t.value(at: "meter.alrValues", element: i) }

    @Test("rx380: one request for its one group, the values decoded by the table's offsets, formats and factors")
    func rx380() throws {
        var registers = [UInt16](repeating: 0, count: 46)
        registers[28] = 0; registers[29] = 4001          // voltage_l12: UINT32 at 28, 0.1 V
        registers[12] = 0xFFFF; registers[13] = 0xFC18   // total_real_power: INT32 at 12, -1000 W
        registers[18] = 930                              // total_power_factor: INT16 at 18, 0.001
        registers[19] = 5001                             // frequency: UINT16 at 19, 0.01 Hz
        let bus = RegisterScriptBus([4000: .registers(registers)])
        let t = try Self.poll("rx380", bus)
        #expect(t.value(at: "meter.xDone") == .bool(true))
        #expect(bus.requests.count == 1)
        #expect(bus.requests.first.map { [$0.slave, Int($0.function), $0.address, $0.count] } == [7, 4, 4000, 46])
        #expect(Self.value(t, 0) == .real(400.1))
        #expect(Self.value(t, 9) == .real(-1000))
        #expect(Self.value(t, 10).map { abs($0.real - 0.93) < 1e-9 } == true)
        #expect(Self.value(t, 11).map { abs($0.real - 50.01) < 1e-9 } == true)
        #expect(t.value(at: "meter.auiDecimals", element: 11) == .int(2))
        #expect(t.value(at: "meter.sUnits") == .string("V,V,V,V,V,V,A,A,A,W,,Hz,kWh"))
    }

    @Test("sdm630: an exception on one group still reads the other; the poll fails with the exception's code")
    func sdm630Exception() throws {
        var second = [UInt16](repeating: 0, count: 6)
        second[0] = 0x43C8; second[1] = 0                // voltage_l12: REAL32 400.0 at 200
        let bus = RegisterScriptBus([0: .failure(code: 2), 200: .registers(second)])
        let t = try Self.poll("sdm630", bus)
        #expect(bus.requests.map(\.address) == [0, 200])
        #expect(t.value(at: "meter.xError") == .bool(true))
        #expect(t.value(at: "meter.udiErrorID") == .int(2))
        #expect(Self.value(t, 0) == .real(400))
        #expect(t.value(at: "meter.axValid", element: 0) == .bool(true))
        #expect(t.value(at: "meter.axValid", element: 3) == .bool(false))       // voltage_l1: group 0 failed
        #expect(t.value(at: "meter.sError")?.string.hasPrefix("Office: ") == true)
    }

    @Test("a timeout ends the poll at once: the second group is not asked")
    func timeoutEndsThePoll() throws {
        let bus = RegisterScriptBus([0: .failure(code: 100)])
        let t = try Self.poll("sdm630", bus)
        #expect(bus.requests.map(\.address) == [0])
        #expect(t.value(at: "meter.udiErrorID") == .int(100))
    }

    @Test("an sModel that is not in GVL_MeterModels fails with 104, naming the model, and sends nothing")
    func unknownModel() throws {
        let bus = RegisterScriptBus([:])
        let t = try Self.poll("rx999", bus)
        #expect(bus.requests.isEmpty)
        #expect(t.value(at: "meter.udiErrorID") == .int(104))
        #expect(t.value(at: "meter.sError") == .string("Office: unknown meter model rx999 (not in GVL_MeterModels)"))
    }
}
