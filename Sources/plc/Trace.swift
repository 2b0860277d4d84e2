import ArgumentParser
import PLCApp
import PLCGraph
import PLCCore

/// `plc trace`: run one block over a vector file in virtual time.
struct Trace: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one block over a vector file in virtual time and print the trace as CSV.",
        discussion: """
            Vector files: first column t_ms, then one column per pin. Exit status: 0 ok, \
            1 an expected output differs (with --check), 2 a malformed file or unknown block.
            """
    )

    @Argument(help: "Block type, e.g. TON.")
    var blockType: String?

    @Argument(help: "Vector file (CSV).")
    var vectors: String?

    @Flag(help: "Compare against the expected output columns and exit 1 on the first mismatch.")
    var check = false

    @Flag(help: "List the block types.")
    var list = false

    @Flag(help: "Print the block's variable table.")
    var describe = false

    @Flag(help: "With --describe: print the table as a blocks/ YAML declaration.")
    var yaml = false

    func run() throws {
        let library = BlockLibrary.all
        if list {
            for type in library.types {
                emit("\(type.typeName.padding(toLength: 12, withPad: " ", startingAt: 0))\(type.interface.summary)\n")
            }
            return
        }
        guard let blockType else { throw fail("plc trace: name a block type (plc trace --list shows them)") }
        guard let type = library.type(named: blockType) else {
            throw fail("plc trace: unknown block type '\(blockType)' (plc trace --list shows them)")
        }
        if describe {
            emit(yaml ? BlockDeclaration(type.interface).yaml() : type.interface.formatted() + "\n")
            return
        }
        guard let vectors else { throw fail("plc trace: name a vector file, or use --describe") }
        let file: VectorFile
        do {
            file = try VectorFile.load(vectors, for: type.interface)
        } catch {
            throw fail(error)
        }
        let trace = VectorTrace(type, file)
        if check {
            if let first = trace.mismatches.first {
                let more = trace.mismatches.count > 1 ? " (and \(trace.mismatches.count - 1) more)" : ""
                throw fail("\(first)\(more)", code: 1)
            }
            let checked = file.rows.reduce(0) { sum, row in
                sum + zip(file.columns, row.cells).filter { $0.0.decl.scope == .output && $0.1 != nil }.count
            }
            emit("ok \(vectors): \(file.rows.count) scans, \(checked) expected values match\n")
        } else {
            emit(trace.csv())
        }
    }
}
