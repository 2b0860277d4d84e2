import Foundation
import PLCBlocks
import PLCApp
import PLCCore
import PLCGraph
import Testing

@Suite("Standard blocks against blocks/")
struct BlockTests {
    static let library = Fixtures.library

    @Test("every golden vector file passes", arguments: Fixtures.vectorFiles)
    func vectors(_ vector: VectorCase) throws {
        let type = try #require(Self.library.type(named: vector.type), "no block type \(vector.type)")
        let file = try VectorFile.load(vector.path, for: type.interface)
        #expect(file.rows.count >= 3, "a vector file should cover more than a couple of scans")
        let trace = VectorTrace(type, file)
        #expect(trace.mismatches.isEmpty, "\(trace.mismatches.map(\.description).joined(separator: "\n"))")
    }

    @Test("every block has vectors and a declaration equal to its Swift table",
          arguments: Fixtures.declaredTypeNames)
    func declarationMatches(_ name: String) throws {
        let type = try #require(Self.library.type(named: name))
        let dir = Fixtures.blocks.appendingPathComponent(name)
        let declared = try BlockDeclaration.load(dir.appendingPathComponent("\(name).yaml").path,
                                                 enums: Self.library.enumerations).table
        #expect(declared.name == type.interface.name)
        #expect(declared.decls == type.interface.decls)
        let vectors = Fixtures.vectorFiles.filter { $0.type == name }
        #expect(!vectors.isEmpty, "blocks/\(name)/vectors holds no vector file")
    }

    @Test("a declaration that differs from the Swift table is noticed")
    func declarationMismatchIsDetected() throws {
        let original = try String(contentsOf: Fixtures.blocks.appendingPathComponent("TON/TON.yaml"), encoding: .utf8)
        let renamed = original.replacingOccurrences(of: "name: PT,", with: "name: PRESET,")
        let path = try Fixtures.temporaryFile(renamed, name: "TON.yaml")
        let declared = try BlockDeclaration.load(path, enums: [:]).table
        #expect(declared.decls != TON.interface.decls)
    }

    @Test("each pin reads back what was written, by name, for every block",
          arguments: Fixtures.library.typeNames)
    func pinsRoundTrip(_ name: String) throws {
        let type = try #require(Self.library.type(named: name))
        try Self.checkRoundTrip(type.init())
    }

    /// Writes a distinct probe to every pin by name, then reads all pins back.
    static func checkRoundTrip<Block: FunctionBlock>(_ block: Block) throws {
        let decls = Block.interface.decls
        for (i, decl) in decls.enumerated() {
            #expect(block[pin: i] == decl.initial, "\(Block.typeName).\(decl.name) does not start at its initial value")
            let probe = probe(for: decl.type, seed: i)
            try block.setValue(probe, of: decl.name)
            let back = block.value(of: decl.name)
            #expect(back == probe, "\(Block.typeName).\(decl.name) did not read back")
        }
        // Writing one pin must not have changed another: read all again.
        for (i, decl) in decls.enumerated() {
            let value = block[pin: i]
            #expect(value == probe(for: decl.type, seed: i), "\(Block.typeName).\(decl.name) was overwritten")
        }
    }

    /// A value of `type` that differs from the default and from the probes of neighbouring pins.
    static func probe(for type: IECType, seed: Int) -> IECValue {
        switch type {
        case .bool: .bool(seed % 2 == 0)
        case .time: .time(Int64(1000 + seed))
        case .real, .lreal: .real(0.5 + Double(seed))
        case .enumeration(let e): .int(Int64(seed % e.cases.count))
        case .string: .string("probe \(seed)")
        case .array(let element, let count): .array((0..<count).map { probe(for: element, seed: seed + $0) })
        default: .int(Int64(7 + seed))
        }
    }

    @Test("CTU saturates at 65535 and CTD stops at 0 instead of wrapping")
    func countersSaturate() {
        let up = CTU()
        up.CV = 65534
        for (t, cu) in [true, false, true, false, true].enumerated() {
            up.CU = cu
            up.execute(ScanContext(time: Int64(t)))
        }
        #expect(up.CV == 65535)
        let down = CTD()
        down.CD = true
        down.execute(ScanContext())
        #expect(down.CV == 0 && down.Q)
    }

    @Test("setting a pin checks the type and the name")
    func setValueChecks() {
        let ton = TON()
        #expect(throws: IECError.self) { try ton.setValue(.bool(true), of: "PT") }
        #expect(throws: IECError.self) { try ton.setValue(.bool(true), of: "NOPE") }
        let ctu = CTU()
        #expect(throws: IECError.self) { try ctu.setValue(.int(70000), of: "PV") }
    }

    @Test("Scale decodes a signed 32-bit power that a naive unsigned reading gets near 4.29 GW")
    func signedPower() {
        #expect(Scale.decode(0xFFFF, 0xFA24, format: 2, order: 0) == -1500)
        #expect(Scale.decode(0xFFFF, 0xFA24, format: 3, order: 0) == 4_294_965_796)
    }
}
