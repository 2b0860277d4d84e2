public import PLCCore
public import PLCGraph

/// Writes the FBD function blocks a program uses as Codesys `FUNCTION_BLOCK`s, each an ST body of
/// calls to its blocks in execution order, then the program as written: one instance per FB.
///
/// The runtime flattens FB instances into the program's schedule; Codesys keeps them as FBs, so
/// the export compiles each FB's own network (nested FBs as blocks) and the unflattened program.
public enum STFunctionBlockExporter {
    /// The `.st` files, FBs first (inner before outer); nil when the program uses no FBD block.
    public static func files(_ program: CompiledProgram, library: BlockLibrary) throws(ProgramErrors) -> [(name: String, text: String)]? {
        guard let use = program.file.functionBlocks else { return nil }
        var library = library
        var files: [(name: String, text: String)] = []
        for definition in use.definitions {
            let network = try ProgramCompiler.compile(definition.written, library: library)
            files.append((definition.name + ".st", functionBlockText(definition, network)))
            library.add(try definition.blockType(library: library))
        }
        var written = use.written
        // `--set` values were applied to the flattened file: carry the program's own variables over.
        written.variables = written.variables.map { v in program.file.variables.first { $0.decl.name == v.decl.name } ?? v }
        return files + STProgramExporter(try ProgramCompiler.compile(written, library: library)).files()
    }

    /// One FUNCTION_BLOCK: VAR_INPUT and VAR_OUTPUT from the FB's variables, its VAR and block
    /// instances, and the calls, as the program exporter writes them (without the scan clock,
    /// which the PROGRAM calls once per scan).
    static func functionBlockText(_ definition: FunctionBlockDefinition, _ network: CompiledProgram) -> String {
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
