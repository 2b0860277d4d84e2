import Foundation
import PLCCore
import PLCMeters
import PLCModbus
import Testing

/// MeterRead through a real bus worker against the in-process simulator, scan by scan.
@Suite("MeterRead", .serialized)
struct MeterReadTests {
    /// Runs scans (10 ms apart in scan time, 5 ms apart in real time) until `done` or 400 scans.
    static func scan(_ block: MeterRead, from t: inout Int64, until done: (MeterRead) -> Bool) {
        for _ in 0..<400 {
            block.readInputs()
            block.execute(ScanContext(time: t))
            block.writeOutputs()
            t += 10
            if done(block) { return }
            usleep(5_000)
        }
    }

    @Test("one poll: one request per group, values in column order with the model's decimals; a silent meter costs one timeout")
    func pollAndSilence() throws {
        let model = try MeterModelTests.load("sdm630")
        let simulator = ModbusSimulator(devices: [3: SimulatedMeter(model: model, slave: 3)], frozen: true)
        let port = try simulator.startTCP()
        defer { simulator.stop() }
        var settings = BusSettings(transport: .tcp(host: "127.0.0.1", port: port))
        settings.responseTimeout = 200
        let worker = BusWorker(name: "test", settings: settings)
        worker.start()
        defer { worker.stop() }
        let block = MeterRead()
        block.configure(model)
        block.attach(worker)
        block.uiUnitId = 3
        block.sLocation = "Aircon"
        var t: Int64 = 0
        block.xExecute = true
        Self.scan(block, from: &t) { $0.xDone || $0.xError }
        #expect(block.xDone && block.xValid && block.udiErrorID == 0, "\(block.sError)")
        #expect(block.udiRequests == 2 && simulator.requestCount(slave: 3) == 2)
        let expected = SimulatedMeter(model: model, slave: 3)
        for (i, name) in MeterModel.columns.enumerated() {
            let v = try #require(model.value(named: name))
            let words = try expected.read(function: 4, address: v.address, count: 2, seconds: 0).get()
            #expect(block.axValid[i] && block.alrValues[i] == v.decode(words[...]), "\(name)")
            #expect(Int(block.auiDecimals[i]) == v.decimals)
        }
        #expect(block.sColumns == MeterModel.columns.joined(separator: ","))
        #expect(block.sUnits.hasPrefix("V,V,V,V,V,V,A,A,A,W,,Hz,kWh"))

        // The meter goes silent: the poll ends after its first group's timeout; the second group is not sent.
        simulator.fault = .silent
        block.xExecute = false
        Self.scan(block, from: &t) { _ in true }
        block.xExecute = true
        Self.scan(block, from: &t) { $0.xError }
        #expect(block.xError && !block.xValid && block.udiErrorID == 100)
        #expect(block.sError == "Aircon: Error reading registers 0-75 from slave 3: timeout", "\(block.sError)")
        #expect(block.udiRequests == 3 && simulator.requestCount(slave: 3) == 3)
        #expect(block.axValid.allSatisfy { !$0 })

        // Exception on every group: each group is still asked (the meter answers), and the first failure is reported.
        simulator.fault = .exception(2)
        block.xExecute = false
        Self.scan(block, from: &t) { _ in true }
        block.xExecute = true
        Self.scan(block, from: &t) { $0.xError }
        #expect(block.udiErrorID == 2 && block.udiRequests == 5, "\(block.sError)")
    }

    @Test("a model lacking a column leaves it invalid; every model's groups feed every column it has")
    func columnsPerModel() throws {
        for name in ["rx380", "sdm630", "iem3155"] {
            var model = try MeterModelTests.load(name)
            model.values.removeAll { $0.name == "frequency" }
            let block = MeterRead()
            block.configure(model)
            block.xExecute = true
            var t: Int64 = 0
            Self.scan(block, from: &t) { $0.xError }      // no bus: not connected
            #expect(block.udiErrorID == 102 && block.udiRequests == 1)
            #expect(block.sUnits.split(separator: ",", omittingEmptySubsequences: false)[11] == "", "\(name)")
        }
    }
}
