import Foundation
import PLCMeters
import PLCModbus
import Testing

/// The iEM3155's energy is INT64 in Wh (four registers). `plc export st` writes it into MeterRead's
/// table as `E_RegFormat.INT64`, the ST MeterRead passes the four registers to Scale, and the twin
/// writes the cells the Swift program writes: `programs/site_20` (five iEM3155s among 20 meters)
/// exports, passes `plc check-st` and parses with blark; a site with an iEM3155 runs with `--twin`.
@Suite("INT64 meter values in the Codesys twin: site_20 exports, the iEM3155's energy is equal in ST", .serialized)
struct Int64TwinTests {
    @Test("plc export st programs/site_20 writes a complete set: INT64 in the meter table, plc check-st clean, blark parses it; the PLCopen export too")
    func site20Exports() throws {
        let folder = try SiteMainTwinTests.exported("programs/site_20")
        defer { try? FileManager.default.removeItem(at: folder) }
        let table = try String(contentsOf: folder.appendingPathComponent("GVL_MeterModels.st"), encoding: .utf8)
        #expect(table.contains("gc_iMeterModels : INT := 3;") && table.contains("(sName := 'iem3155', iGroups := 6,"), "\(table)")
        // total_real_energy: the sixth group (3203-3210), offset 0, INT64 in Wh, high word first, to kWh.
        #expect(table.contains("(iGroup := 5, uiOffset := 0, eFormat := E_RegFormat.INT64, eOrder := E_WordOrder.ABCD, "
                               + "lrFactor := 0.001, usiDecimals := 3)    // total_real_energy"), "\(table)")
        let main = try String(contentsOf: folder.appendingPathComponent("site_20.st"), encoding: .utf8)
        #expect(main.contains("serverRoom(rClient := line1, ") && main.contains("sModel := 'iem3155'"), "\(main)")
        // Two RS-485 lines, two serial ports: ClientSerial instances never share one.
        #expect(main.contains("line1(xConnect := NOT line1.xError, iPort := SysCom.SYS_COM_PORTS.SYS_COMPORT1,")
                && main.contains("line2(xConnect := NOT line2.xError, iPort := SysCom.SYS_COM_PORTS.SYS_COMPORT2,"), "\(main)")
        let check = try PLCCommand.run(["check-st", folder.path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        // blark reads what the export wrote (st-reference/ itself is parsed by CodesysPortTests).
        let generated = try SiteMainTwinTests.scratch("int64-blark")
        defer { try? FileManager.default.removeItem(at: generated) }
        for name in ["Location.st", "site_20.st", "GVL_MeterModels.st"] {
            try FileManager.default.copyItem(at: folder.appendingPathComponent(name), to: generated.appendingPathComponent(name))
        }
        let blark = try CodesysPortTests.blark(generated.path)
        #expect(blark.status == 0, "\(blark.stderr)")
        #expect(blark.summary?.files == 3 && blark.summary?.programs == ["site_20"], "\(blark.stderr)")
        #expect(blark.summary?.function_blocks["Location"] != nil)
        // The PLCopen project carries the same table and stays valid against TC6.
        let xml = try PLCCommand.run(["export", "plcopen", "programs/site_20"])
        #expect(xml.status == 0, "\(xml.stderr)")
        #expect(xml.stdout.contains("<simpleValue value=\"E_RegFormat.INT64\"/>"))
        #expect(xml.stdout.contains("SysCom.SYS_COM_PORTS.SYS_COMPORT2"))
        if CodesysExportTests.schemaAvailable {
            let valid = try CodesysExportTests.validate(xml.stdout)
            #expect(valid.ok, "\(valid.output)")
        }
    }

    /// An iEM3155 whose import energy is 16#0012_3456_789A_BCDE Wh: every one of its four registers
    /// differs, so a twin that dropped or swapped a word would write another number.
    final class BigEnergyMeter: SimulatedDevice {
        let meter: SimulatedMeter
        let address: Int
        static let words: [UInt16] = [0x0012, 0x3456, 0x789A, 0xBCDE]

        init(_ meter: SimulatedMeter) throws {
            self.meter = meter
            address = try #require(meter.model.value(named: "total_real_energy")).address
        }

        func read(function: UInt8, address: Int, count: Int, seconds: Double) -> Result<[UInt16], SimulatedException> {
            meter.read(function: function, address: address, count: count, seconds: seconds).map { registers in
                var registers = registers
                for (i, word) in Self.words.enumerated() where (address..<(address + count)).contains(self.address + i) {
                    registers[self.address + i - address] = word
                }
                return registers
            }
        }

        func resetCounters() { meter.resetCounters() }
    }

    @Test("a site with an iEM3155 location: plc run --twin writes the Swift run's cells, the INT64 energy included")
    func iem3155Twin() throws {
        // programs/site_main with a fourth location, an iEM3155 at slave 4, in a scratch copy.
        let programs = try SiteMainTwinTests.scratch("int64-program")
        defer { try? FileManager.default.removeItem(at: programs) }
        let program = programs.appendingPathComponent("site_main")
        try FileManager.default.createDirectory(at: program, withIntermediateDirectories: true)
        let source = PLCCommand.root.appendingPathComponent("programs/site_main")
        try FileManager.default.copyItem(at: source.appendingPathComponent("Location.yaml"), to: program.appendingPathComponent("Location.yaml"))
        var text = try String(contentsOf: source.appendingPathComponent("program.yaml"), encoding: .utf8)
        let aircon = "sLocation: 'Aircon',\n             sCsvFolder: CsvFolder, sLogFile: ErrorLogFile}\n"
        #expect(text.contains(aircon))
        text = text.replacingOccurrences(of: aircon, with: aircon + """
              - name: serverRoom
                type: Location
                inputs: {xPoll: pollTimer.Q, xLog: logPulse.Q, sModel: 'iem3155', uiUnitId: 4, sLocation: 'ServerRoom',
                         sCsvFolder: CsvFolder, sLogFile: ErrorLogFile}

            """)
        try text.write(to: program.appendingPathComponent("program.yaml"), atomically: true, encoding: .utf8)
        let st = try SiteMainTwinTests.exported(program.path)
        defer { try? FileManager.default.removeItem(at: st) }

        let catalog = MeterCatalog.standard(near: source.path)
        let rx380 = try catalog.load("rx380"), sdm630 = try catalog.load("sdm630"), iem3155 = try catalog.load("iem3155")
        let simulator = ModbusSimulator(devices: [1: SimulatedMeter(model: rx380, slave: 1), 2: SimulatedMeter(model: rx380, slave: 2),
                                                  3: SimulatedMeter(model: sdm630, slave: 3),
                                                  4: try BigEnergyMeter(SimulatedMeter(model: iem3155, slave: 4))], frozen: true)
        let port = try simulator.startTCP()
        defer { simulator.stop() }
        let twinRows = try SiteMainTwinTests.expectSameCells(program: program.path, st: st.path, bus: SiteMainTwinTests.tcp(port),
                                                             locations: ["Office", "Production", "Aircon", "ServerRoom"])
        // The energy column is the four registers' INT64 in kWh: 5124095576030430 Wh.
        let energy = (twinRows["ServerRoom"] ?? [:]).values.compactMap { $0.split(separator: ",", omittingEmptySubsequences: false).last }
        #expect(!energy.isEmpty && energy.allSatisfy { $0 == "5124095576030.430" }, "\(energy)")
    }

    @Test("site_20 with --twin: both RS-485 lines have their own bus, and all 20 locations write the Swift run's cells")
    func site20Twin() throws {
        let st = try SiteMainTwinTests.exported("programs/site_20")
        defer { try? FileManager.default.removeItem(at: st) }
        let program = PLCCommand.root.appendingPathComponent("programs/site_20")
        let text = try String(contentsOf: program.appendingPathComponent("program.yaml"), encoding: .utf8)
        let locations = text.matches(of: /sLocation: '(\w+)'/).map { String($0.output.1) }
        #expect(locations.count == 20)
        // The models as scripts/make-site-20 lays them out: rx380, rx380, sdm630, iem3155, ... on
        // slaves 1-10 (line1) and 11-20 (line2); each line its own frozen simulator.
        let catalog = MeterCatalog.standard(near: program.path)
        let models = try ["rx380", "rx380", "sdm630", "iem3155"].map { try catalog.load($0) }
        var bus: [String] = []
        var simulators: [ModbusSimulator] = []
        defer { simulators.forEach { $0.stop() } }
        for (line, slaves) in [("line1", 1...10), ("line2", 11...20)] {
            var devices: [Int: any SimulatedDevice] = [:]
            for slave in slaves {
                let meter = SimulatedMeter(model: models[(slave - 1) % 4], slave: slave)
                devices[slave] = meter.model.name == "iem3155" ? try BigEnergyMeter(meter) : meter
            }
            let simulator = ModbusSimulator(devices: devices, frozen: true)
            simulators.append(simulator)
            bus += SiteMainTwinTests.tcp(try simulator.startTCP(), bus: line)
        }
        let twinRows = try SiteMainTwinTests.expectSameCells(program: program.path, st: st.path, bus: bus, locations: locations, rows: 2)
        // LineB (slave 12, line2) and ServerRoom (slave 4, line1) are iEM3155s.
        for location in ["LineB", "ServerRoom"] {
            let energy = (twinRows[location] ?? [:]).values.compactMap { $0.split(separator: ",", omittingEmptySubsequences: false).last }
            #expect(!energy.isEmpty && energy.allSatisfy { $0 == "5124095576030.430" }, "\(location): \(energy)")
        }
    }
}
