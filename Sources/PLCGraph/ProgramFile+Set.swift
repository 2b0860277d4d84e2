public import PLCCore

extension ProgramFile {
    /// Applies one `--set NAME=VALUE`: a variable's initial value, or a bus setting (`bus.device=...`,
    /// or `bus.<name>.device=...` when the program has several buses). Errors name the argument.
    public mutating func apply(set argument: String) throws(SourceError) {
        func fail(_ message: String) -> SourceError { SourceError(file: "--set \(argument)", line: nil, message) }
        guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else {
            throw fail("expected NAME=VALUE (e.g. --set LogInterval=T#10s or --set bus.device=/dev/ttyUSB1)")
        }
        let name = String(argument[..<eq]).trimmingSpaces()
        let value = String(argument[argument.index(after: eq)...])
        if name.lowercased().hasPrefix("bus.") {
            try setBus(String(name.dropFirst(4)), to: value, argument: argument, fail: fail)
            return
        }
        guard let i = variables.firstIndex(where: { $0.decl.name.uppercased() == name.uppercased() }) else {
            let names = variables.map(\.decl.name).joined(separator: ", ")
            throw fail("no program variable '\(name)' (variables: \(names.isEmpty ? "none" : names))")
        }
        let decl = variables[i].decl
        do {
            let parsed = try IECLiteral.parse(value, as: decl.type)
            variables[i].decl = VarDecl(decl.scope, decl.name, decl.type, initial: parsed, comment: decl.comment)
        } catch {
            throw fail("\(decl.name) : \(decl.type.name): \(error.message)")
        }
    }

    /// Runtime setting `name`: the value `RuntimeSettings` (PLCApp, the one list of runtime settings)
    /// carried here for a program that does not declare it, else the initial value of a program
    /// variable of that name.
    public func runtimeSetting(_ name: String) -> String? {
        if let value = runtimeSettings[name] { return value }
        guard let decl = variables.first(where: { $0.decl.name.uppercased() == name.uppercased() })?.decl else { return nil }
        if case .string(let text) = decl.initial { return text }
        return IECLiteral.format(decl.initial, as: decl.type)
    }

    private mutating func setBus(_ path: String, to value: String, argument: String,
                                 fail: (String) -> SourceError) throws(SourceError) {
        guard !buses.isEmpty else { throw fail("the program declares no bus") }
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        let index: Int
        let key: String
        if parts.count == 2, let named = buses.firstIndex(where: { $0.name == parts[0] }) {
            index = named
            key = parts[1]
        } else if buses.count == 1 {
            index = 0
            key = path
        } else {
            let names = buses.map(\.name).joined(separator: ", ")
            throw fail("the program has several buses (\(names)): write bus.<name>.\(path)")
        }
        guard !key.isEmpty, !key.contains(".") else { throw fail("expected bus.SETTING=VALUE") }
        buses[index].settings.append(.init(key, value, .argument("--set \(argument)")))
    }
}
