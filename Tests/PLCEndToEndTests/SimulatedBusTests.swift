import Foundation
import PLCMeters
import PLCModbus
import Testing

/// `plc simulate MODEL@SLAVE...` read by mbpoll and by the runtime's own client, and `plc run --simulate` of site_main.
@Suite("plc simulate: a bus of meters from model files", .serialized)
struct SimulatedBusTests {
    static func model(_ name: String) throws -> MeterModel {
        try MeterModelLoader.load(PLCCommand.root.appendingPathComponent("meters/\(name).yaml").path)
    }

    @Test("three slaves of three models on one RTU line: each answers its own map; faults and resets per slave")
    func threeModelsRTU() throws {
        let line = try SerialLine()
        let sim = try BackgroundProcess(PLCCommand.executable.path,
                                        ["simulate", "rx380@1", "sdm630@3", "iem3155@4", "--rtu", line.a, "--parity", "N", "--frozen"])
        defer { sim.stop() }
        #expect(sim.waitForErrorLine { $0.contains("slave 1,3,4 on \(line.a)") } != nil, "\(sim.errorOutput)")
        var settings = BusSettings(transport: .rtu(device: line.b, baud: 19_200, parity: .none, dataBits: 8, stopBits: 1, rs485: false))
        settings.responseTimeout = 300
        let connection = try ModbusConnection(settings)
        try connection.connect()
        var regs: [UInt16] = []
        for (slave, name) in [(1, "rx380"), (3, "sdm630"), (4, "iem3155")] {
            let model = try Self.model(name)
            let expected = SimulatedMeter(model: model, slave: slave)
            for g in model.groups {
                try connection.readRegisters(function: g.function, slave: slave, address: g.address, count: g.count, into: &regs)
                #expect(Array(regs[0..<g.count]) == (try expected.read(function: g.function, address: g.address, count: g.count, seconds: 0).get()),
                        "\(name)@\(slave) \(g)")
            }
            let volts = try #require(model.value(named: "voltage_l1"))
            try connection.readRegisters(function: volts.function, slave: slave, address: volts.address,
                                         count: volts.format.registerCount, into: &regs)
            #expect((220...240).contains(volts.decode(regs[0..<volts.format.registerCount])), "\(name)")
        }
        // An address no meter on the line has: silence, as on a real bus.
        #expect(throws: ModbusError.timeout()) {
            try connection.readRegisters(function: 4, slave: 9, address: 4000, count: 2, into: &regs)
        }
        sim.send("slave 3 silent")
        #expect(sim.waitForErrorLine { $0.contains("fault slave 3 silent") } != nil)
        #expect(throws: ModbusError.timeout()) {
            try connection.readRegisters(function: 4, slave: 3, address: 0, count: 2, into: &regs)
        }
        try connection.readRegisters(function: 4, slave: 1, address: 4002, count: 2, into: &regs)
        #expect(regs[0] != 0 || regs[1] != 0)
        sim.send("slave 1 reset")
        #expect(sim.waitForErrorLine { $0.contains("counters slave 1 reset") } != nil)
        try connection.readRegisters(function: 4, slave: 1, address: 4002, count: 2, into: &regs)
        #expect(regs[0] == 0 && regs[1] == 0, "the RX380's energy counter after a reset")
        try connection.readRegisters(function: 3, slave: 4, address: 3203, count: 4, into: &regs)
        #expect(regs[2] != 0 || regs[3] != 0, "the other meters keep their counters")
    }

    @Test("--paced holds a 46-register RTU reply for its time on the wire (97 bytes at 19200 8E1: about 56 ms)")
    func paced() throws {
        for paced in [false, true] {
            let line = try SerialLine()
            let sim = try BackgroundProcess(PLCCommand.executable.path,
                                            ["simulate", "rx380", "--rtu", line.a, "--parity", "E", "--frozen"] + (paced ? ["--paced"] : []))
            defer { sim.stop() }
            #expect(sim.waitForErrorLine { $0.contains("on \(line.a)") } != nil)
            var settings = BusSettings(transport: .rtu(device: line.b, baud: 19_200, parity: .even, dataBits: 8, stopBits: 1, rs485: false))
            settings.responseTimeout = 1_000
            let connection = try ModbusConnection(settings)
            try connection.connect()
            var regs: [UInt16] = []
            var fastest = Int64.max
            for _ in 0..<5 {
                let start = DispatchTime.now().uptimeNanoseconds
                try connection.readRegisters(function: 4, slave: 1, address: 4000, count: 46, into: &regs)
                fastest = min(fastest, Int64(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
            }
            // A lower bound only: a busy machine makes replies slower, never faster.
            if paced { #expect(fastest >= 55, "paced reply in \(fastest) ms") } else { #expect(fastest < 55, "unpaced reply in \(fastest) ms") }
        }
    }

    @Test("--simulate serves each bus its own slaves: two lines that both number their meters 1 to 10 read their own models")
    func twoLinesSameSlaveNumbers() throws {
        // site_20 with line 2's slaves 11..20 renumbered 1..10, so each slave number has a different
        // model on each line (line 1's slave 1 is an rx380, line 2's an sdm630).
        let text = try String(contentsOfFile: PLCCommand.root.appendingPathComponent("programs/site_20/program.yaml").path,
                              encoding: .utf8)
        let renumbered = text.replacing(/uiUnitId: 1([1-9]|20),/) { match in
            "uiUnitId: \(Int(match.output.1)! == 20 ? 10 : Int(match.output.1)!),"
        }
        #expect(renumbered != text)
        let dir = try PLCCommand.programFolder(renumbered)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: PLCCommand.root.appendingPathComponent("programs/site_main/Location.yaml").path,
                                         toPath: dir + "/Location.yaml")
        let plc = try BackgroundProcess(PLCCommand.executable.path, [
            "run", dir, "--simulate", "--set", "CsvFolder=\(dir)/csv", "--set", "ErrorLogFile=\(dir)/site.log",
            "--set", "LogInterval=T#1s", "--set", "PollInterval=T#300ms",
        ])
        defer { _ = plc.stop(signal: SIGKILL, timeout: 5) }
        #expect(plc.waitForErrorLine { $0.contains("bus line2: sdm630@1 iem3155@2 rx380@3") } != nil, "\(plc.errorOutput)")
        // Wait for two full rows in every location's file (hang guard 40 s).
        let locations = renumbered.matches(of: /sLocation: '([^']+)'/).map { String($0.output.1) }
        #expect(locations.count == 20)
        var missing = locations
        let deadline = Date().addingTimeInterval(40)
        while !missing.isEmpty && Date() < deadline && plc.process.isRunning {
            Thread.sleep(forTimeInterval: 0.2)
            missing = locations.filter { location in
                let folder = dir + "/csv/" + location
                let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
                let rows = files.flatMap { file in
                    ((try? String(contentsOfFile: folder + "/" + file, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst()
                }
                return rows.filter { !$0.contains(",,") && !$0.hasSuffix(",") }.count < 2
            }
        }
        #expect(missing.isEmpty, "locations without two full rows: \(missing); \(plc.errorOutput.suffix(5))")
        #expect(plc.stop(signal: SIGTERM) == 0)
    }

    @Test("plc run programs/site_main --simulate works out of the box: every location gets rows")
    func siteMainSimulated() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("site-sim-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let plc = try BackgroundProcess(PLCCommand.executable.path, [
            "run", PLCCommand.root.appendingPathComponent("programs/site_main").path, "--simulate",
            "--set", "CsvFolder=\(dir.path)/csv", "--set", "ErrorLogFile=\(dir.path)/site.log", "--set", "LogInterval=T#1s",
            "--set", "PollInterval=T#300ms",
        ])
        #expect(plc.waitForErrorLine { $0.contains("rx380@1 rx380@2 sdm630@3 simulated on tcp 127.0.0.1:") } != nil, "\(plc.errorOutput)")
        Thread.sleep(forTimeInterval: 4)
        #expect(plc.stop(signal: SIGTERM) == 0)
        for location in ["Office", "Production", "Aircon"] {
            let folder = dir.path + "/csv/" + location
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            let text = try files.map { try String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined()
            let rows = text.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("timestamp") }
            let full = rows.filter { !$0.contains(",,") && !$0.hasSuffix(",") }
            #expect(full.count >= 2, "\(location): \(rows)")
        }
        let log = try String(contentsOfFile: dir.path + "/site.log", encoding: .utf8)
        #expect(!log.contains("ERROR"), "\(log)")
    }
}
