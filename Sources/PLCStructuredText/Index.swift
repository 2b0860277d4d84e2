/// Every POU, type and global variable list of a set of files, by upper-cased name, with their layouts.
final class Index {
    /// A named type: enumeration, structure or alias.
    enum TypeEntry {
        case enumeration(EnumInfo, AST.TypeDecl)
        case structure(StructInfo, AST.TypeDecl)
        case alias(AST.TypeDecl)
    }

    /// A global variable list and its variables.
    final class GVLInfo {
        let name: String
        var vars: [VarInfo] = []
        init(name: String) { self.name = name }
    }

    var types: [String: TypeEntry] = [:]
    var pous: [String: POUInfo] = [:]
    var gvls: [String: GVLInfo] = [:]
    /// Unqualified global names, for access without the list's name.
    var globals: [String: VarInfo] = [:]
    /// Names that are library namespaces (`ModbusFB`, `FILE`, `CAA`): `Namespace.Name` finds `Name`.
    var namespaces: Set<String> = []
    var globalSize = 0
    /// Offsets in the global area of every STRING slot (globals, FUNCTION frames, call staging).
    var globalStrings: [Int] = []
    private var aliasesResolving: Set<String> = []
    var diagnostics: [STDiagnostic] = []

    func error(_ at: SourceLocation, _ message: String) {
        diagnostics.append(STDiagnostic(at, message))
    }

    /// Registers the declarations of one file; duplicates are errors.
    func add(_ file: AST.File, namespace: String? = nil) {
        func key(_ name: String) -> String {
            (namespace.map { $0 + "." } ?? "") + name.uppercased()
        }
        if let namespace { namespaces.insert(namespace) }
        for t in file.types {
            guard types[key(t.name)] == nil && pous[key(t.name)] == nil else {
                error(t.location, "'\(t.name)' is declared twice")
                continue
            }
            switch t.kind {
            case .enumeration: types[key(t.name)] = .enumeration(EnumInfo(name: t.name), t)
            case .structure: types[key(t.name)] = .structure(StructInfo(name: t.name), t)
            case .alias: types[key(t.name)] = .alias(t)
            }
        }
        for p in file.pous {
            guard pous[key(p.name)] == nil && types[key(p.name)] == nil else {
                error(p.location, "'\(p.name)' is declared twice")
                continue
            }
            pous[key(p.name)] = POUInfo(name: p.name, kind: p.kind, ast: p)
        }
        for g in file.gvls {
            // A library's own constants (`CAA.gc_hINVALID`): the list is named after the namespace.
            let listKey = namespace.map { g.name.uppercased() == $0.uppercased() ? $0.uppercased() : key(g.name) } ?? key(g.name)
            let info = gvls[listKey] ?? GVLInfo(name: g.name)
            gvls[listKey] = info
            for v in g.vars {
                let var_ = VarInfo(name: v.name, section: .global, ast: v, constant: v.constant)
                if info.vars.contains(where: { $0.name.uppercased() == v.name.uppercased() }) {
                    error(v.location, "'\(v.name)' is declared twice in \(g.name)")
                    continue
                }
                info.vars.append(var_)
                if namespace == nil { globals[v.name.uppercased()] = var_ }
            }
        }
    }

    /// Finds a type or POU by a possibly qualified name (`E_WordOrder`, `ModbusFB.ClientSerial`).
    func lookupKey(_ name: String) -> String {
        let parts = name.split(separator: ".")
        if parts.count == 2, namespaces.contains(where: { $0.uppercased() == parts[0].uppercased() }) {
            let ns = namespaces.first { $0.uppercased() == parts[0].uppercased() }!
            return ns + "." + parts[1].uppercased()
        }
        if parts.count == 1 {
            let upper = name.uppercased()
            if types[upper] != nil || pous[upper] != nil { return upper }
            for ns in namespaces.sorted() where types[ns + "." + upper] != nil || pous[ns + "." + upper] != nil {
                return ns + "." + upper
            }
            return upper
        }
        return name.uppercased()
    }

    func pou(_ name: String) -> POUInfo? { pous[lookupKey(name)] }
    func type(_ name: String) -> TypeEntry? { types[lookupKey(name)] }
}
