import Foundation
import PLCCore
import PLCGraph
import PLCMeters
import Testing

/// Meter model files: the shipped ones, decoding every format and word order, request groups, errors.
@Suite("Meter models as data")
struct MeterModelTests {
    static let meters = Fixtures.root.appendingPathComponent("meters")

    static func load(_ name: String) throws -> MeterModel {
        try MeterModelLoader.load(meters.appendingPathComponent("\(name).yaml").path)
    }

    /// The errors of a model text, as `file:line: message` lines.
    static func errors(_ text: String, file: String = "/m/test.yaml") -> [String] {
        do {
            _ = try MeterModelLoader.parse(text, path: file)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test("the shipped models load, and their request groups are the fewest the meter allows")
    func shippedModels() throws {
        let rx380 = try Self.load("rx380")
        #expect(rx380.groups.map(\.description) == ["FC04 4000-4045"])
        #expect(rx380.value(named: "total_real_power")?.format == .int32)
        #expect(rx380.value(named: "frequency")?.registers == 4019...4019)
        let sdm630 = try Self.load("sdm630")
        #expect(sdm630.groups.map(\.description) == ["FC04 0-75", "FC04 200-205"])
        #expect(sdm630.groups.allSatisfy { $0.count <= 80 })
        let iem = try Self.load("iem3155")
        #expect(iem.value(named: "total_real_energy")?.format == .int64)
        #expect(iem.groups.count == 6 && iem.groups.allSatisfy { $0.function == 3 })
        for model in [rx380, sdm630, iem] {
            for column in MeterModel.columns {
                #expect(model.value(named: column) != nil, "\(model.name) lacks \(column)")
            }
            // Every polled value lies inside one group, and every group is a read the meter answers.
            for v in model.values where v.poll {
                #expect(model.groups.contains { $0.function == v.function && $0.registers.contains(v.registers.lowerBound)
                    && $0.registers.contains(v.registers.upperBound) }, "\(model.name).\(v.name)")
            }
            for g in model.groups { #expect(model.answers(address: g.address, count: g.count), "\(model.name) \(g)") }
        }
    }

    @Test("every model in meters/ loads, reads its energy counter, and polls only what the meter answers")
    func everyModelFile() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.meters.path)
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
        #expect(names.contains("sdm120"), "\(names)")
        for name in names {
            let model = try Self.load(name)
            #expect(model.name == name)
            #expect(model.value(named: "total_real_energy") != nil, "\(name) lacks total_real_energy")
            #expect(!model.groups.isEmpty, "\(name) polls nothing")
            for v in model.values where v.poll {
                #expect(model.groups.contains { $0.function == v.function && $0.registers.contains(v.registers.lowerBound)
                    && $0.registers.contains(v.registers.upperBound) }, "\(name).\(v.name)")
            }
            for g in model.groups { #expect(model.answers(address: g.address, count: g.count), "\(name) \(g)") }
        }
    }

    @Test("every format and word order decodes the bytes A B C D ... as the model says", arguments: [
        (ValueFormat.uint32, WordOrder.abcd, [UInt16(0x1234), 0x5678], Double(0x1234_5678)),
        (.uint32, .cdab, [0x5678, 0x1234], Double(0x1234_5678)),
        (.uint32, .badc, [0x3412, 0x7856], Double(0x1234_5678)),
        (.uint32, .dcba, [0x7856, 0x3412], Double(0x1234_5678)),
        (.int32, .abcd, [0xFFFF, 0xFA24], -1500),
        (.int16, .abcd, [0xFCAB], -853),
        (.int16, .badc, [0xABFC], -853),
        (.uint16, .abcd, [0x138A], 5002),
        (.real32, .abcd, [0x4365, 0xB333], Double(Float(229.7))),
        (.real32, .cdab, [0xB333, 0x4365], Double(Float(229.7))),
        (.int64, .abcd, [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE], -2),
        (.int64, .abcd, [0x0000, 0x0000, 0x00F9, 0x67AD], 16_345_005),
        (.int64, .cdab, [0x67AD, 0x00F9, 0x0000, 0x0000], 16_345_005),
        (.uint64, .abcd, [0x0001, 0x0000, 0x0000, 0x0000], 281_474_976_710_656),
        (.uint64, .dcba, [0x0100, 0x0000, 0x0000, 0x0000], 1),
    ])
    func decode(format: ValueFormat, order: WordOrder, words: [UInt16], expected: Double) {
        let value = MeterValue(name: "x", function: 4, address: 0, format: format, order: order)
        #expect(value.raw(words[...]) == expected)
        // Encoding is the inverse: the same words come back.
        #expect(value.encode(expected) == words)
    }

    @Test("factor and decimals give engineering values; a slice from a group's reply decodes in place")
    func factorFromGroup() throws {
        let rx380 = try Self.load("rx380")
        let volts = try #require(rx380.value(named: "voltage_l1"))
        var reply = [UInt16](repeating: 0, count: 46)
        reply[34] = 0
        reply[35] = 2297
        #expect(volts.decode(reply[34..<36]) == 229.70000000000002)
        #expect(volts.decimals == 1 && volts.unit == "V")
        let energy = try #require(try Self.load("iem3155").value(named: "total_real_energy"))
        #expect(abs(energy.decode([0, 0, 0x00F9, 0x67AD][...]) - 16_345.005) < 1e-9)
    }

    @Test("groups: split at a gap the meter refuses, at its request limit, and per function code")
    func grouping() throws {
        func model(_ answers: [ClosedRange<Int>], max: Int = 125, _ values: [(Int, UInt8)]) -> MeterModel {
            MeterModel(name: "m", functions: [4, 3], maxRegisters: max, answers: answers,
                       values: values.enumerated().map { MeterValue(name: "v\($0.offset)", function: $0.element.1,
                                                                     address: $0.element.0, format: .uint32) })
        }
        #expect(model([0...99], [(0, 4), (50, 4), (98, 4)]).groups.map(\.description) == ["FC04 0-99"])
        #expect(model([0...9, 20...29], [(0, 4), (8, 4), (20, 4)]).groups.map(\.description) == ["FC04 0-9", "FC04 20-21"])
        #expect(model([0...199], max: 80, [(0, 4), (70, 4), (80, 4), (150, 4)]).groups.map(\.description)
                == ["FC04 0-71", "FC04 80-151"])
        #expect(model([0...99], [(0, 4), (2, 3)]).groups.map(\.description) == ["FC03 2-3", "FC04 0-1"])
        #expect(model([0...300], [(0, 4), (200, 4)]).groups.map(\.description) == ["FC04 0-1", "FC04 200-201"])
    }

    @Test("a bad model file gets one file:line error per problem", arguments: [
        ("model: test\nfunctions: [4]\nanswers: [0-9]\nvalues:\n  - {name: a, address: 0, format: FLOAT}\n",
         "/m/test.yaml:5: a: format must be one of INT16, UINT16, INT32, UINT32, INT64, UINT64, REAL32"),
        ("model: test\nfunctions: [4]\nanswers: [0-9]\nvalues:\n  - {name: a, address: 9, format: UINT32}\n",
         "/m/test.yaml:5: a: registers 9-10 are not inside one of the answered ranges"),
        ("model: test\nanswers: [0-9]\nvalues:\n  - {name: a, address: 0, format: UINT32}\n  - {name: b, address: 1, format: UINT16}\n",
         "/m/test.yaml:5: value 'b' at 1-1 overlaps 'a' (line 4)"),
        ("model: test\nanswers: [0-9]\nvalues:\n  - {name: a, address: 0, format: UINT16}\n  - {name: a, address: 1, format: UINT16}\n",
         "/m/test.yaml:5: value 'a' is declared twice (first on line 4)"),
        ("model: other\nanswers: [0-9]\nvalues: []\n", "/m/test.yaml:1: model 'other' must be named like its file ('test')"),
        ("model: test\nanswer: [0-9]\nvalues: []\n", "/m/test.yaml:2: unknown key 'answer' in a meter model (expected one of: "
         + "answers, description, functions, groups, manufacturer, maxRegisters, model, notes, serial, sources, values, wordOrder)"),
        ("model: test\nfunctions: [6]\nanswers: [0-9]\nvalues: []\n", "/m/test.yaml:2: functions: '6' must be 3 (holding) or 4 (input registers)"),
        ("model: test\nanswers: [9-0]\nvalues: []\n", "/m/test.yaml:2: answers: '9-0' must be a register range FIRST-LAST, e.g. 4000-4045"),
        ("model: test\nanswers: [0-9]\nvalues:\n  - {name: a, address: 0, format: UINT16, factor: 0}\n",
         "/m/test.yaml:4: a: factor must be a non-zero number (e.g. 0.1)"),
        ("model: test\nanswers: [0-9]\nvalues:\n  - {name: a, address: 0, format: UINT16}\ngroups: [FC04 0-9]\n",
         "/m/test.yaml:5: groups must be what the values and answers give: [FC04 0-0] (written: [FC04 0-9])"),
        ("model: test\nanswers: [0-9]\nvalues:\n  - {name: a, address: 0, format: UINT16, colour: red}\n",
         "/m/test.yaml:4: unknown key 'colour' in a value (expected one of: address, comment, decimals, factor, format, "
         + "function, name, order, poll, source, unit)"),
        ("model: test\nanswers: [0-9\n", "/m/test.yaml:3: YAML syntax error: while parsing a flow sequence: did not find expected ',' or ']'"),
    ])
    func badModel(text: String, expected: String) {
        let errors = Self.errors(text)
        #expect(errors.contains(expected), "\(errors)")
    }

    @Test("an unknown model name says where it looked")
    func unknownModel() {
        let catalog = MeterCatalog(folders: [Self.meters.path])
        #expect(throws: ProgramErrors.self) { try catalog.load("rx999", file: "p.yaml", line: 7) }
        do {
            _ = try catalog.load("rx999", file: "p.yaml", line: 7)
        } catch {
            #expect(error.description.hasPrefix("p.yaml:7: no meter model 'rx999'"))
        }
        #expect(catalog.path(of: "RX380") != nil)
    }
}
