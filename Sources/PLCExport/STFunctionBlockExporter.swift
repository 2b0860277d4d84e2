public import PLCCore
public import PLCGraph

/// Writes the FBD function blocks a program uses as Codesys `FUNCTION_BLOCK`s, each an ST body of
/// calls to its blocks in execution order, then the program as written: one instance per FB.
///
/// The runtime flattens FB instances into the program's schedule; Codesys keeps them as FBs, so
/// the export compiles each FB's own network (nested FBs as blocks) and the unflattened program.
public enum STFunctionBlockExporter {
    /// A program as Codesys keeps it: each FBD block's own network compiled (inner before outer),
    /// and the program as written, its FB instances blocks of those types.
    public struct Unflattened {
        public let functionBlocks: [(definition: FunctionBlockDefinition, network: CompiledProgram)]
        public let program: CompiledProgram
    }

    /// `program` unflattened against `library`; nil when it uses no FBD block.
    public static func unflattened(_ program: CompiledProgram, library: BlockLibrary) throws(ProgramErrors) -> Unflattened? {
        guard let use = program.file.functionBlocks else { return nil }
        var library = library
        var networks: [(definition: FunctionBlockDefinition, network: CompiledProgram)] = []
        for definition in use.definitions {
            networks.append((definition, try ProgramCompiler.compile(definition.written, library: library)))
            library.add(try definition.blockType(library: library))
        }
        var written = use.written
        // `--set` values were applied to the flattened file: carry the program's own variables over.
        written.variables = written.variables.map { v in program.file.variables.first { $0.decl.name == v.decl.name } ?? v }
        return Unflattened(functionBlocks: networks, program: try ProgramCompiler.compile(written, library: library))
    }

    /// The `.st` files, FBs first (inner before outer); nil when the program uses no FBD block.
    public static func files(_ program: CompiledProgram, library: BlockLibrary) throws(ProgramErrors) -> [(name: String, text: String)]? {
        guard let unflattened = try unflattened(program, library: library) else { return nil }
        return unflattened.functionBlocks.map { ($0.definition.name + ".st", functionBlockText($0.definition, $0.network)) }
            + STProgramExporter(unflattened.program).files()
    }

    /// One FUNCTION_BLOCK: VAR_INPUT and VAR_OUTPUT from the FB's variables, its VAR and block
    /// instances, and the calls, as the program exporter writes them (without the scan clock,
    /// which the PROGRAM calls once per scan).
    public static func functionBlockText(_ definition: FunctionBlockDefinition, _ network: CompiledProgram) -> String {
        var text = STProgramExporter(network).programText()
        var sections = ""
        for (scope, keyword) in [(VarDecl.Scope.input, "VAR_INPUT"), (.output, "VAR_OUTPUT")] {
            let decls = definition.interface.decls(in: scope)
            guard !decls.isEmpty else { continue }
            sections += keyword + "\n"
            for d in decls {
                sections += "    \(d.name) : \(STLiteral.typeName(d.type)) := \(STLiteral.format(d.initial, as: d.type));"
                    + (d.comment.isEmpty ? "" : "    // \(d.comment)") + "\n"
            }
            sections += "END_VAR\n"
        }
        text = text.replacingEvery("PROGRAM \(network.name)\nVAR\n", with: "FUNCTION_BLOCK \(definition.name)\n" + sections + "VAR\n")
        text = text.replacingEvery("    fbScanClock : ScanClock;    // stamps the scan: GVL_Scan\n", with: "")
        text = text.replacingEvery("fbScanClock();\n", with: "")
        text = text.replacingEvery("END_PROGRAM\n", with: "END_FUNCTION_BLOCK\n")
        return text.replacingEvery("VAR\nEND_VAR\n", with: "")
    }
}
