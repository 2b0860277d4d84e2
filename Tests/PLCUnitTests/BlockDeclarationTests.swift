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
