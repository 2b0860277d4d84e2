import Foundation
import PLCApp
import PLCBlocks
import PLCCore
import PLCExport
import PLCGraph
import PLCMeters
import PLCModbus
import PLCStorage
import Testing

/// Block roles declared on the block types, and the one set-up every command shares.
@Suite("Block roles and ProgramSetup")
struct BlockRolesTests {
    @Test("every role a block type declares names pins of its own interface")
    func rolesNameOwnPins() {
        var sources = 0
        for type in Fixtures.library.types {
            if let source = type as? any LocationSource.Type {
                sources += 1
                let pins = Set(type.interface.decls.map(\.name))
                #expect(pins.contains(source.locationStatusPin), "\(type.typeName)")
                if let name = source.locationNamePin { #expect(pins.contains(name), "\(type.typeName)") }
                #expect(pins.isSuperset(of: ["sColumns", "alrValues", "sUnits", "xValid", "tAge"]), "\(type.typeName)")
            }
            if let client = type as? any BusClientBlock.Type {
                #expect(!client.stBusParameter.isEmpty)
                #expect(client.stBusInputs.isDisjoint(with: Set(type.interface.decls.map(\.name))),
                        "\(type.typeName): an ST-only bus input is not a Swift pin")
            }
        }
        #expect(sources >= 2, "Display and MeterRead present locations")
        #expect((CSVLogger() as any FunctionBlock) is any EnergyRowSource)
        #expect(ModbusRead.stBusInputs == ["tReplyTimeout"])
    }

    @Test("a constant input check comes from the block type: WallClockPulse rejects T#0s, accepts T#1s")
    func constantChecks() {
        #expect(WallClockPulse.problem(pin: "tInterval", constant: .time(0)) != nil)
        #expect(WallClockPulse.problem(pin: "tInterval", constant: .time(1_000)) == nil)
        #expect(WallClockPulse.problem(pin: "tOffset", constant: .time(0)) == nil)
    }

    @Test("no block type is named as a string literal outside its own file in the runtime's glue")
    func noTypeNameLiterals() throws {
        let folders = ["PLCApp", "PLCHttp", "plc", "PLCSql", "PLCMqtt"]
        let names = Fixtures.library.typeNames
        var found: [String] = []
        for folder in folders {
            let dir = Fixtures.root.appendingPathComponent("Sources").appendingPathComponent(folder)
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".swift") {
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                for name in names where file != "\(name).swift" && text.range(of: "\"\(name)\"", options: .caseInsensitive) != nil {
                    found.append("\(folder)/\(file): \"\(name)\"")
                }
            }
        }
        #expect(found.isEmpty, "\(found)")
    }

    @Test("check, run, bench and export of site_main get the same meters and buses through one set-up")
    func oneSetup() throws {
        var file = try ProgramLoader.load(Fixtures.programs.appendingPathComponent("site_main").path,
                                          enums: Fixtures.library.enumerations)
        let dir = NSTemporaryDirectory() + "plc-setup-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try file.apply(set: "ErrorLogFile=\(dir)/site_logger.log")
        try file.apply(set: "CsvFolder=\(dir)/csv")
        let simulators = try SimulatedBus.start(&file, note: { _ in })
        defer { simulators.forEach { $0.stop() } }

        let check = try ProgramSetup(file: file, library: Fixtures.library)          // plc check, plc export
        let run = try RuntimeAssembly(setup: ProgramSetup(file: file, library: Fixtures.library))   // plc run
        defer { run.stop() }
        let bench = try check.another()                                                // plc bench's extra instances

        #expect(check.meterSummary.contains("office"), "\(check.meterSummary)")
        #expect(run.setup.meterSummary == check.meterSummary)
        #expect(MeterSetup.summary(bench) == check.meterSummary)
        #expect(run.setup.busSummary == check.busSummary)
        #expect(check.busSummary.count == 1 && check.busSummary[0].hasPrefix("rs485: "), "\(check.busSummary)")
        #expect(run.services.prefix(2) == ["modbus", "storage"], "\(run.services)")
        let exported = STProgramExporter(check.program).files().map(\.text)
        #expect(exported == STProgramExporter(run.program).files().map(\.text))

        // plc run's own path (--simulate) goes through the same set-up.
        var plain = try ProgramLoader.load(Fixtures.programs.appendingPathComponent("site_main").path,
                                           enums: Fixtures.library.enumerations)
        try plain.apply(set: "ErrorLogFile=\(dir)/site_logger2.log")
        try plain.apply(set: "CsvFolder=\(dir)/csv2")
        let simulated = try RuntimeAssembly(file: plain, library: Fixtures.library, simulate: true)
        defer { simulated.stop() }
        #expect(simulated.setup.meterSummary == check.meterSummary)
    }

    @Test("a silent setting is rejected by the set-up every command uses")
    func silentSettingRejected() throws {
        var file = try ProgramLoader.load(Fixtures.programs.appendingPathComponent("site_main").path,
                                          enums: Fixtures.library.enumerations)
        try file.apply(set: "LogInterval=T#0s")
        do {
            _ = try ProgramSetup(file: file, library: Fixtures.library)
            Issue.record("LogInterval=T#0s was accepted")
        } catch {
            #expect(error.description.contains("tInterval: LogInterval is T#0ms; it must be more than T#0s"), "\(error)")
        }
    }
}
