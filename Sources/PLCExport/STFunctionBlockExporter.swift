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
        /// The FBD blocks (upper-cased names) with a bus client inside, directly or in an inner FB:
        /// in ST they take the bus as `rClient` and `tReplyTimeout`.
        public let busUsers: Set<String>

        /// The FUNCTION_BLOCKs, inner before outer, then the PROGRAM (and its GVL).
        public func files() -> [(name: String, text: String)] {
            functionBlocks.map { ($0.definition.name + ".st", functionBlockText($0.definition, $0.network, busUsers: busUsers)) }
                + programExporter().files()
        }

        /// The exporter of the program as written, its FB instances given the bus where they need it.
        public func programExporter() -> STProgramExporter {
            var exporter = STProgramExporter(program)
            exporter.busUsers = busUsers
            return exporter
        }

        /// The exporter of each FB's network, as inside a FUNCTION_BLOCK.
        public func networkExporters() -> [STProgramExporter] {
            functionBlocks.map { STFunctionBlockExporter.networkExporter($0.network, busUsers: busUsers) }
        }
    }

    static func networkExporter(_ network: CompiledProgram, busUsers: Set<String>) -> STProgramExporter {
        var exporter = STProgramExporter(network)
        exporter.busUsers = busUsers
        exporter.insideFunctionBlock = true
        return exporter
    }

    /// `program` unflattened against `library`; nil when it uses no FBD block.
    public static func unflattened(_ program: CompiledProgram, library: BlockLibrary) throws(ProgramErrors) -> Unflattened? {
        guard let use = program.file.functionBlocks else { return nil }
        var library = library
        var networks: [(definition: FunctionBlockDefinition, network: CompiledProgram)] = []
        var busUsers: Set<String> = []
        for definition in use.definitions {
            let network = try ProgramCompiler.compile(definition.written, library: library)
            networks.append((definition, network))
            if network.instances.contains(where: { $0.block is any BusClientBlock || busUsers.contains($0.interface.name.uppercased()) }) {
                busUsers.insert(definition.name.uppercased())
            }
            library.add(try definition.blockType(library: library))
        }
        var written = use.written
        // `--set` values were applied to the flattened file: carry the program's own variables over.
        written.variables = written.variables.map { v in program.file.variables.first { $0.decl.name == v.decl.name } ?? v }
        return Unflattened(functionBlocks: networks, program: try ProgramCompiler.compile(written, library: library),
                           busUsers: busUsers)
    }

    /// The `.st` files, FBs first (inner before outer); nil when the program uses no FBD block.
    public static func files(_ program: CompiledProgram, library: BlockLibrary) throws(ProgramErrors) -> [(name: String, text: String)]? {
        try unflattened(program, library: library)?.files()
    }

    /// One FUNCTION_BLOCK: VAR_INPUT and VAR_OUTPUT from the FB's variables, its VAR and block
    /// instances, and the calls, as the program exporter writes them (without the scan clock,
    /// which the PROGRAM calls once per scan). A block in `busUsers` takes the bus as `rClient`
    /// (VAR_IN_OUT) and its response timeout as `tReplyTimeout` (VAR_INPUT), both ST only, and
    /// passes them to the bus clients inside.
    public static func functionBlockText(_ definition: FunctionBlockDefinition, _ network: CompiledProgram,
                                         busUsers: Set<String> = []) -> String {
        let usesBus = busUsers.contains(definition.name.uppercased())
        var text = networkExporter(network, busUsers: busUsers).programText()
        var sections = ""
        for (scope, keyword) in [(VarDecl.Scope.input, "VAR_INPUT"), (.output, "VAR_OUTPUT")] {
            let decls = definition.interface.decls(in: scope)
            guard !decls.isEmpty || (scope == .input && usesBus) else { continue }
            sections += keyword + "\n"
            for d in decls {
                sections += "    \(d.name) : \(STLiteral.typeName(d.type)) := \(STLiteral.format(d.initial, as: d.type));"
                    + (d.comment.isEmpty ? "" : "    // \(d.comment)") + "\n"
            }
            if scope == .input && usesBus {
                sections += "    tReplyTimeout : TIME := T#500MS;    // the bus's response timeout (ST only: a bus setting in Swift)\n"
            }
            sections += "END_VAR\n"
        }
        if usesBus {
            sections += "VAR_IN_OUT\n    rClient : ModbusFB.Client;    // the bus (ST only: the program file's bus in Swift)\nEND_VAR\n"
        }
        text = text.replacingEvery("PROGRAM \(network.name)\nVAR\n", with: "FUNCTION_BLOCK \(definition.name)\n" + sections + "VAR\n")
        text = text.replacingEvery("    fbScanClock : ScanClock;    // stamps the scan: GVL_Scan\n", with: "")
        text = text.replacingEvery("fbScanClock();\n", with: "")
        text = text.replacingEvery("END_PROGRAM\n", with: "END_FUNCTION_BLOCK\n")
        return text.replacingEvery("VAR\nEND_VAR\n", with: "")
    }
}
