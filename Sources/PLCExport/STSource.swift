#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// A POU read back from an st-reference file, for the PLCopen export: its kind, name, header
/// comment, declaration sections and body. Reads the subset of ST the reference files use
/// (blark, not this reader, is what checks the files are valid ST).
public struct STSource {
    /// What a file declares.
    public enum Kind: String { case functionBlock, function, program, dataType, globalVars }

    /// One declared variable.
    public struct Variable {
        public let name: String
        public let type: String
        public let initial: String?
        public let comment: String
    }

    public let kind: Kind
    public let name: String
    public let documentation: String
    /// FUNCTION's return type.
    public let returnType: String?
    /// Sections in file order: (VAR_INPUT | VAR_OUTPUT | VAR_IN_OUT | VAR | VAR_GLOBAL, variables).
    public let sections: [(keyword: String, variables: [Variable])]
    /// The statements.
    public let body: String
    /// A TYPE's enumeration values (name, value).
    public let enumValues: [(name: String, value: String)]
    /// A `TYPE ... : STRUCT`'s members; nil for an enumeration.
    public let structMembers: [Variable]?

    /// Reads `text`; nil when it is not one POU of the shapes above. `name` names a VAR_GLOBAL
    /// list (its file's stem), which has no name in its text.
    public init?(_ text: String, name listName: String = "") {
        var rest = Substring(text)
        var doc = ""
        if rest.hasPrefix("(*"), let end = rest.firstRange(of: "*)") {
            doc = rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound].trimmingSpacesAndNewlines()
            rest = rest[end.upperBound...]
        }
        documentation = doc
        let lines = rest.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        guard let first = lines.firstIndex(where: { !$0.trimmingSpaces().isEmpty }) else { return nil }
        let head = lines[first].trimmingSpaces()
        var returnType: String? = nil
        if head.hasPrefix("FUNCTION_BLOCK ") {
            kind = .functionBlock
            name = String(head.dropFirst(15).split(separator: " ").first ?? "")
        } else if head.hasPrefix("FUNCTION ") {
            kind = .function
            let parts = head.dropFirst(9).split(separator: ":", maxSplits: 1)
            name = parts[0].trimmingSpaces()
            returnType = parts.count > 1 ? parts[1].trimmingSpaces() : nil
        } else if head.hasPrefix("PROGRAM ") {
            kind = .program
            name = String(head.dropFirst(8)).trimmingSpaces()
        } else if head.hasPrefix("TYPE ") {
            kind = .dataType
            name = head.dropFirst(5).split(separator: ":").first.map { $0.trimmingSpaces() } ?? ""
        } else if head.hasPrefix("VAR_GLOBAL") {
            kind = .globalVars
            name = listName
        } else {
            return nil
        }
        self.returnType = returnType
        var sections: [(String, [Variable])] = []
        var enumValues: [(String, String)] = []
        var bodyLines: [String] = []
        var current: (String, [Variable])? = nil
        var members: [Variable]? = nil
        // A declaration whose initial value spans lines (an array of structures): its text so far.
        var pending = ""
        let start = kind == .globalVars ? first : first + 1
        for raw in lines[start...] {
            let line = raw.trimmingSpaces()
            if let open = current {
                if line == "END_VAR" {
                    sections.append(open)
                    current = nil
                } else if let variable = Self.declaration(line, pending: &pending) {
                    current = (open.0, open.1 + [variable])
                }
            } else if ["VAR_INPUT", "VAR_OUTPUT", "VAR_IN_OUT", "VAR", "VAR_GLOBAL", "VAR_GLOBAL CONSTANT"].contains(line) {
                current = (line, [])
            } else if kind == .dataType && line == "STRUCT" {
                members = []
            } else if kind == .dataType, members != nil {
                if line != "END_STRUCT" && line != "END_TYPE", let variable = Self.variable(line) { members?.append(variable) }
            } else if kind == .dataType {
                let cleaned = line.replacingEvery(",", with: "")
                let parts = cleaned.components(separatedBy: ":=").map { $0.trimmingSpaces() }
                if parts.count == 2, !parts[0].isEmpty { enumValues.append((parts[0], parts[1])) }
            } else if !line.hasPrefix("END_FUNCTION") && line != "END_PROGRAM" {
                bodyLines.append(raw)
            }
        }
        self.sections = sections
        self.enumValues = enumValues
        structMembers = members
        body = bodyLines.joined(separator: "\n").trimmingSpacesAndNewlines()
    }

    /// One declaration line, or the next line of one whose initial value spans lines (`pending`
    /// holds the text so far, each line's `//` comment dropped): the variable once it is complete.
    static func declaration(_ line: String, pending: inout String) -> Variable? {
        var text = line
        if let slashes = text.firstRange(of: "//") { text = String(text[..<slashes.lowerBound]) }
        if pending.isEmpty && text.trimmingSpaces().hasSuffix(";") { return variable(line) }
        pending += (pending.isEmpty ? "" : " ") + text.trimmingSpaces()
        guard pending.hasSuffix(";") else { return nil }
        defer { pending = "" }
        return variable(pending)
    }

    /// `name : TYPE := initial;    // comment`
    static func variable(_ line: String) -> Variable? {
        var text = line
        var comment = ""
        if let slashes = text.firstRange(of: "//") {
            comment = text[slashes.upperBound...].trimmingSpaces()
            text = String(text[..<slashes.lowerBound])
        }
        text = text.trimmingSpaces()
        guard text.hasSuffix(";"), let colon = text.firstIndex(of: ":") else { return nil }
        let name = text[..<colon].trimmingSpaces()
        var declaration = String(text[text.index(after: colon)..<text.index(before: text.endIndex)])
        var initial: String? = nil
        if let assign = declaration.firstRange(of: ":=") {
            initial = declaration[assign.upperBound...].trimmingSpaces()
            declaration = String(declaration[..<assign.lowerBound])
        }
        return Variable(name: name, type: declaration.trimmingSpaces(), initial: initial, comment: comment)
    }
}
