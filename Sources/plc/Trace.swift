import ArgumentParser
import PLCApp
import PLCGraph
import PLCCore
import PLCStructuredText

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

    @Option(name: .customLong("st"), help: "Run the FUNCTION_BLOCK of this name from the .st files of this folder instead.")
    var stFolder: String?

    @Flag(help: "List the block types.")
    var list = false

    @Option(name: .customLong("blocks"), help: "Find FBD function block files (<Name>.yaml, blocks/<Name>/<Name>.yaml) here (default: beside the vector file, or the current folder).")
    var fbdFolder: String?

    @Flag(help: "Print the block's variable table.")
    var describe = false

    @Flag(help: "With --describe: print the table as a blocks/ YAML declaration.")
    var yaml = false

    func run() throws {
        let library = BlockLibrary.all
        if list {
            for type in library.types {
                emit("\(type.typeName.paddingSpaces(toLength: 12))\(type.interface.summary)\n")
            }
            for name in FunctionBlockLibrary.names(near: fbdFolder ?? ".") {
                let summary = (try? FunctionBlockLibrary.definition(name, near: fbdFolder ?? ".", enums: library.enumerations))??.interface.summary
                emit("\(name.paddingSpaces(toLength: 12))\(summary ?? "")  (FBD)\n")
            }
            return
        }
        guard let blockType else { throw fail("plc trace: name a block type (plc trace --list shows them)") }
        if let stFolder { return try runST(blockType, folder: stFolder) }
        if library.type(named: blockType) == nil, let fbd = try fbdType(blockType, library) {
            return try runFBD(fbd)
        }
        guard let type = library.type(named: blockType) else {
            throw fail("plc trace: unknown block type '\(blockType)' (plc trace --list shows them)")
        }
        if describe {
            emit(yaml ? BlockDeclaration(type.interface).yaml() : type.interface.formatted() + "\n")
            return
        }
        let file = try vectorFile(for: type.interface)
        try report(VectorTrace(type, file), file)
    }

    /// The FBD function block `name` near `--blocks` or the vector file, as a block type; nil when there is none.
    private func fbdType(_ name: String, _ library: BlockLibrary) throws -> BlockType? {
        let folder = fbdFolder ?? vectors.map { $0.pathDeletingLastComponent }.flatMap { $0.isEmpty ? nil : $0 } ?? "."
        do {
            return try FunctionBlockLibrary.definition(name, near: folder, enums: library.enumerations)?.blockType(library: library)
        } catch {
            throw fail(error)
        }
    }

    /// Runs an FBD function block: its network compiled on its own, its variables as pins.
    private func runFBD(_ type: BlockType) throws {
        if describe {
            emit(yaml ? BlockDeclaration(type.interface).yaml() : type.interface.formatted() + "\n")
            return
        }
        let file = try vectorFile(for: type.interface)
        let block = type.make()
        let trace = VectorTrace(type.interface, file, read: { block[pin: $0] }, write: { block[pin: $0] = $1 },
                                execute: { block.execute($0) })
        try report(trace, file)
    }

    /// Runs the ST twin: the FUNCTION_BLOCK `name` of the `.st` files in `folder` (or the Standard library's).
    private func runST(_ name: String, folder: String) throws {
        let library: STLibrary
        do {
            library = try STLibrary.load(folder: folder, root: name)
        } catch {
            throw fail(error)
        }
        guard let type = library.functionBlock(name) else {
            throw fail("plc trace: no FUNCTION_BLOCK \(name) in \(folder) (nor in the Standard library)")
        }
        if describe {
            emit(type.interface.formatted() + "\n")
            return
        }
        let file = try vectorFile(for: type.interface)
        let instance = type.instantiate()
        let trace = VectorTrace(type.interface, file, read: { instance[pin: $0] }, write: { instance[pin: $0] = $1 },
                                execute: { instance.execute($0) })
        if let fault = instance.machine.takeFault() { note("plc trace: run-time fault in \(name): \(fault)") }
        try report(trace, file)
    }

    /// The vector file named on the command line, read against `interface`.
    private func vectorFile(for interface: VarTable) throws -> VectorFile {
        guard let vectors else { throw fail("plc trace: name a vector file, or use --describe") }
        do {
            return try VectorFile.load(vectors, for: interface)
        } catch {
            throw fail(error)
        }
    }

    /// Prints the trace, or with --check the first mismatch (exit 1) or a summary.
    private func report(_ trace: VectorTrace, _ file: VectorFile) throws {
        guard let vectors else { return }
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
