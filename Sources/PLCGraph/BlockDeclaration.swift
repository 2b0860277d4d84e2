public import PLCCore
import PLCYAML
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// A block type's language-neutral declaration under `blocks/`: name, summary and variable table.
public struct BlockDeclaration: Sendable {
    /// The declared variable table.
    public let table: VarTable

    public init(_ table: VarTable) {
        self.table = table
    }

    /// Reads `blocks/<Type>/<Type>.yaml`; `enums` resolves enumeration type names.
    public static func load(_ path: String, enums: [String: IECEnumType]) throws(SourceError) -> BlockDeclaration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SourceError(file: path, line: nil, "cannot read: \(error.plainDescription)")
        }
        let reader = YAMLReader(path: path)
        let root = try reader.compose(text)
        try reader.checkKeys(root, ["name", "summary", "description", "variables"], "a block declaration")
        guard let nameNode = reader.value(root, "name") else { throw reader.error(root, "missing 'name'") }
        let name = try reader.scalar(nameNode, "name")
        let summary = try reader.value(root, "summary").map { node throws(SourceError) in
            try reader.scalar(node, "summary")
        } ?? ""
        guard let varsNode = reader.value(root, "variables") else { throw reader.error(root, "missing 'variables'") }
        var decls: [VarDecl] = []
        for item in try reader.sequence(varsNode, "variables") {
            try reader.checkKeys(item, ["scope", "name", "type", "initial", "comment", "required"], "a variable")
            func field(_ key: String) throws(SourceError) -> String? {
                try reader.value(item, key).map { node throws(SourceError) in try reader.scalar(node, key) }
            }
            guard let scopeText = try field("scope"), let scope = VarDecl.Scope(rawValue: scopeText) else {
                throw reader.error(item, "a variable needs scope: VAR_INPUT, VAR_OUTPUT, VAR or VAR_GLOBAL")
            }
            guard let varName = try field("name"), let typeText = try field("type") else {
                throw reader.error(item, "a variable needs a name and a type")
            }
            let initialText = try field("initial")
            let comment = try field("comment") ?? ""
            let required = try field("required").map { $0.lowercased() == "true" } ?? false
            do throws(IECError) {
                let type = try IECType.parse(typeText, enums: enums)
                let initial = try initialText.map { text throws(IECError) in try IECLiteral.parse(text, as: type) }
                decls.append(VarDecl(scope, varName, type, initial: initial, comment: comment, required: required))
            } catch {
                throw reader.error(item, "variable \(varName): \(error.message)")
            }
        }
        return BlockDeclaration(VarTable(name, summary: summary, decls))
    }

    /// The declaration as YAML, in the layout of the files under `blocks/`.
    public func yaml() -> String {
        var out = "name: \(table.name)\nsummary: \(quoted(table.summary))\nvariables:\n"
        for d in table.decls {
            let initial = IECLiteral.format(d.initial, as: d.type)
            out += "  - {scope: \(d.scope.rawValue), name: \(d.name), type: \(quoted(d.type.name)), "
                + "initial: \(quoted(initial)), comment: \(quoted(d.comment))"
                + (d.required ? ", required: true}\n" : "}\n")
        }
        return out
    }

    private func quoted(_ s: String) -> String {
        "\"" + s.replacingEvery("\\", with: "\\\\").replacingEvery("\"", with: "\\\"") + "\""
    }
}
