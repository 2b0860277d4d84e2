#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// The interface of a block type or program: its ordered variable declarations, looked up by name.
///
/// Names are matched case-insensitively, as IEC 61131-3 identifiers are.
public struct VarTable: Hashable, Sendable {
    /// The block type or program name.
    public let name: String
    /// A one-paragraph description of what the block does.
    public let summary: String
    /// The declarations; a pin's index in this array is its pin number.
    public let decls: [VarDecl]
    private let indexByName: [String: Int]

    public init(_ name: String, summary: String = "", _ decls: [VarDecl]) {
        self.name = name
        self.summary = summary
        self.decls = decls
        var index: [String: Int] = [:]
        for (i, d) in decls.enumerated() { index[d.name.uppercased()] = index[d.name.uppercased()] ?? i }
        self.indexByName = index
    }

    /// The pin number of `name`, or nil when there is no such variable.
    public func index(of name: some StringProtocol) -> Int? {
        indexByName[name.uppercased()]
    }

    /// The declaration of `name`, or nil.
    public func decl(_ name: some StringProtocol) -> VarDecl? {
        index(of: name).map { decls[$0] }
    }

    /// The declarations of one scope, in table order.
    public func decls(in scope: VarDecl.Scope) -> [VarDecl] {
        decls.filter { $0.scope == scope }
    }

    /// The table as aligned text, one declaration per line, Codesys's tabular view.
    public func formatted() -> String {
        let rows = decls.map { d in
            [d.scope.rawValue, d.name, d.type.name, IECLiteral.readable(d.initial, as: d.type), d.comment]
        }
        let header = ["Scope", "Name", "Type", "Initial", "Comment"]
        let widths = (0..<4).map { c in ([header] + rows).map { $0[c].count }.max()! }
        func line(_ r: [String]) -> String {
            (0..<4).map { r[$0].paddingSpaces(toLength: widths[$0]) }.joined(separator: "  ")
                + "  " + r[4]
        }
        return ([line(header)] + rows.map(line)).map { $0.trimmingTrailingSpaces() }.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
