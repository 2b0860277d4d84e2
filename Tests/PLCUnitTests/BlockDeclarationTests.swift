import PLCApp
import PLCCore
import PLCGraph
import Testing

/// A block whose pin declaration contradicts its storage: WORD declared, Bool stored.
final class ContradictoryBlock: FunctionBlock {
    @Input(.word, "declared as a WORD but stored as a Bool") var wValue = false
    init() {}
    func execute(_ context: ScanContext) {}
}

/// A block that declares one pin name twice (a property and its differently-cased twin).
final class TwiceDeclaredBlock: FunctionBlock {
    @Input("first") var xIn = false
    @Output("second, same name in another case") var XIN = false
    init() {}
    func execute(_ context: ScanContext) {}
}

@Suite("Block declarations: one place per block type")
struct BlockDeclarationTests {
    @Test("every block type of the runtime declares pins that agree with their storage")
    func everyBlockIsConsistent() {
        #expect(BlockLibrary.validate(BlockLibrary.allSwiftTypes) == [])
        #expect(BlockLibrary.all.typeNames.count == BlockLibrary.allSwiftTypes.count)
    }

    @Test("a block whose declared type disagrees with its Swift storage is caught")
    func contradictionIsCaught() {
        let problems = BlockLibrary.validate([ContradictoryBlock.self])
        #expect(problems == ["ContradictoryBlock.wValue: declared WORD but stored as Bool (WORD needs UInt16)"])
    }

    @Test("a pin name declared twice is caught")
    func duplicateIsCaught() {
        #expect(BlockLibrary.validate([TwiceDeclaredBlock.self]) == ["TwiceDeclaredBlock.XIN: declared twice"])
    }

    @Test("the variable table comes from the pin wrappers: names, order, types, initial values, comments")
    func tableIsDerived() throws {
        let table = BlockLibrary.all.entry(named: "ModbusRead")!.interface
        #expect(table.decls.map(\.name) == ["xExecute", "uiUnitId", "usiFunction", "uiStartItem", "uiQuantity", "xDone",
                                            "xBusy", "xError", "udiErrorID", "xValid", "tAge", "sError", "awData"])
        #expect(table.decl("uiUnitId")?.initial == .int(1))
        #expect(table.decl("xExecute")?.required == true)
        #expect(table.decl("tAge")?.type == .time)
        #expect(table.decl("awData")?.type == .array(.word, count: 125))
        #expect(table.decl("awData")?.scope == .output)
        #expect(table.decl("uiQuantity")?.comment == "number of registers, 1 to 125")
    }

    @Test("pins address the block's own values: a write through a pin is what the block sees")
    func pinsAreTheBlocksValues() throws {
        let type = try #require(BlockLibrary.all.entry(named: "TON"))
        let block = type.make()
        let pins = block.pins
        #expect(pins.map(\.decl.name) == ["IN", "PT", "Q", "ET"])
        pins[0].store(.bool(true))
        pins[1].store(.time(0))
        block.execute(ScanContext(time: 5))
        #expect(pins[2].load() == .bool(true), "TON with PT = 0 sets Q in the scan IN rises")
    }

    @Test("a block's pin values sit side by side in memory, and those of the next block follow")
    func pinValuesArePacked() throws {
        let scale = try #require(BlockLibrary.all.entry(named: "Scale"))
        // Three blocks made one after another, as a program's are; a chunk may end between two of
        // them (once in hundreds of blocks), so two neighbours out of three are checked.
        let blocks = (0..<3).map { _ in scale.make() }
        let spans = blocks.map { block -> Int in
            let addresses = block.pins.map { Int(bitPattern: $0.address) }
            return addresses.max()! - addresses.min()!
        }
        // Scale's 8 pins take 49 bytes packed (2 WORDs, 2 enums, 3 LREALs, a BOOL); one heap
        // allocation per pin put them hundreds of bytes apart.
        #expect(spans.filter { $0 < 64 }.count >= 2, "spans of the pin values: \(spans)")
        let gaps = zip(blocks, blocks.dropFirst()).map { first, next in
            Int(bitPattern: next.pins[0].address) - Int(bitPattern: first.pins.last!.address)
        }
        #expect(gaps.filter { $0 > 0 && $0 <= 16 }.count >= 1, "gaps from one block's last pin to the next one's first: \(gaps)")
    }

    @Test("packed pins keep their values apart, aligned, and strings are freed with their block")
    func packedPinsStayApart() throws {
        for _ in 0..<200 {
            // Blocks come and go (an online change, a test): a chunk outlives none of its pins.
            let blocks = BlockLibrary.all.typeNames.compactMap { BlockLibrary.all.entry(named: $0)?.make() }
            for block in blocks {
                for pin in block.pins {
                    #expect(Int(bitPattern: pin.address) % min(pin.decl.type.pinKind.size, 8) == 0, "\(pin.decl.name)")
                }
            }
        }
        let type = try #require(BlockLibrary.all.entry(named: "CONCAT"))
        let a = type.make(), b = type.make()
        for (i, pin) in a.pins.enumerated() where pin.decl.type.pinKind == .string {
            pin.store(.string(String(repeating: "a", count: 40 + i)))
            b.pins[i].store(.string("b"))
        }
        for (i, pin) in a.pins.enumerated() where pin.decl.type.pinKind == .string {
            #expect(pin.load() == .string(String(repeating: "a", count: 40 + i)))
            #expect(b.pins[i].load() == .string("b"))
        }
    }

    @Test("a bus setting from --set names the argument, not a line 0")
    func setOriginIsExplicit() throws {
        let path = Fixtures.programs.appendingPathComponent("rx380_main").path
        var file = try ProgramLoader.load(path, enums: BlockLibrary.all.enumerations)
        try file.apply(set: "bus.baud=fast")
        let setting = try #require(file.buses[0].settings.last)
        #expect(setting.origin == .argument("--set bus.baud=fast"))
        #expect(setting.origin.line == nil)
        let fileSetting = try #require(file.buses[0].settings.first)
        #expect(fileSetting.origin.line != nil)
    }
}
