
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// A checked and compiled set of ST files (plus the Standard library and the Codesys stand-ins):
/// the function blocks, functions, types and global variable lists they declare.
///
/// Loading runs every stage once: lexer, parser, index, checker and code generation. The result is
/// immutable; instances run on a `STMachine`, which holds the global variables.
public final class STLibrary: @unchecked Sendable {
    let index: Index
    let initialiseGlobals: Code.Stmt
    /// Non-fatal remarks, `file:line:col: warning: ...` (a string literal longer than its STRING).
    public let warnings: [STDiagnostic]

    private init(index: Index, initialiseGlobals: @escaping Code.Stmt, warnings: [STDiagnostic]) {
        self.index = index
        self.initialiseGlobals = initialiseGlobals
        self.warnings = warnings
    }

    /// The `.st` files of `folder`, sorted by name.
    public static func sourceFiles(in folder: String) throws(STErrors) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw STErrors([STDiagnostic(SourceLocation(file: folder, line: 0, column: 0), "cannot read folder: \(error.plainDescription)")])
        }
        return names.filter { $0.lowercased().hasSuffix(".st") }.sorted().map { folder.pathAppending($0) }
    }

    /// Loads every `.st` file of `folder`; throws every diagnostic when any file has an error.
    public static func load(folder: String) throws(STErrors) -> STLibrary {
        var sources: [(path: String, text: String)] = []
        for path in try sourceFiles(in: folder) {
            do {
                sources.append((path, try String(contentsOfFile: path, encoding: .utf8)))
            } catch {
                throw STErrors([STDiagnostic(SourceLocation(file: path, line: 0, column: 0), "cannot read file: \(error.plainDescription)")])
            }
        }
        return try load(sources: sources)
    }

    /// Loads only the files of `folder` that the POU `root` needs: the file declaring it and, transitively,
    /// the files declaring a name that a needed file uses. Errors in unrelated files do not matter.
    public static func load(folder: String, root: String) throws(STErrors) -> STLibrary {
        var sources: [(path: String, text: String)] = []
        for path in try sourceFiles(in: folder) {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { sources.append((path, text)) }
        }
        var declares: [String: Int] = [:]
        var uses: [Set<String>] = []
        for (i, source) in sources.enumerated() {
            let stem = source.path.pathLastComponent.pathDeletingExtension
            var parser = Parser(source.text, file: source.path, stem: stem)
            let file = parser.parseFile()
            for name in file.pous.map(\.name) + file.types.map(\.name) + file.gvls.map(\.name) {
                declares[name.uppercased()] = i
            }
            var lexer = Lexer(source.text, file: source.path)
            uses.append(Set(lexer.tokens().compactMap { t -> String? in
                if case .identifier(let name) = t.kind { return name.uppercased() }
                return nil
            }))
        }
        guard let start = declares[root.uppercased()] else { return try load(sources: []) }
        var needed: Set<Int> = [start], queue = [start]
        while let i = queue.popLast() {
            for name in uses[i] {
                if let j = declares[name], needed.insert(j).inserted { queue.append(j) }
            }
        }
        return try load(sources: needed.sorted().map { sources[$0] })
    }

    /// Loads ST sources given as (path, text); `path` names the file in diagnostics, its stem a GVL.
    public static func load(sources: [(path: String, text: String)]) throws(STErrors) -> STLibrary {
        let (library, diagnostics) = build(sources)
        guard let library, diagnostics.isEmpty else { throw STErrors(diagnostics) }
        return library
    }

    /// Every diagnostic of the sources, errors and warnings, sorted by file, line and column (empty when they are clean).
    public static func check(sources: [(path: String, text: String)]) -> [STDiagnostic] {
        let (library, errors) = build(sources)
        return sorted(errors + (library?.warnings ?? []))
    }

    private static func sorted(_ diagnostics: [STDiagnostic]) -> [STDiagnostic] {
        var unique: [STDiagnostic] = []
        let ordered = diagnostics.sorted {
            ($0.location.file, $0.location.line, $0.location.column) < ($1.location.file, $1.location.line, $1.location.column)
        }
        for d in ordered where unique.last != d { unique.append(d) }
        return unique
    }

    private static func build(_ sources: [(path: String, text: String)]) -> (STLibrary?, [STDiagnostic]) {
        let index = Index()
        var diagnostics: [STDiagnostic] = []
        func parse(_ text: String, path: String, namespace: String? = nil) {
            let stem = path.pathLastComponent.pathDeletingExtension
            var parser = Parser(text, file: path, stem: stem)
            let file = parser.parseFile()
            diagnostics += parser.diagnostics
            index.add(file, namespace: namespace)
        }
        parse(StandardLibrary.source, path: StandardLibrary.file)
        for library in LibraryInterface.all {
            for entry in library.entries {
                parse(entry.source, path: entry.gvl.map { "<\(library.name)>/\($0)" } ?? "<\(library.name)>", namespace: library.namespace)
            }
        }
        for (path, text) in sources { parse(text, path: path) }

        let checker = Checker(index)
        checker.layoutGlobals()
        let pous = index.pous.values.sorted { $0.name < $1.name }
        for p in pous { checker.layout(p) }
        // Stand-ins get their Swift bodies after layout and before any call of them is compiled.
        for (key, p) in index.pous {
            if let make = StandIns.native[key], p.laidOut { p.native = make(p) }
        }
        for p in pous { checker.compile(p) }
        checker.pou = nil
        let initialiseGlobals = checker.globalInitialiser()
        diagnostics += index.diagnostics + checker.diagnostics
        return (STLibrary(index: index, initialiseGlobals: initialiseGlobals, warnings: sorted(checker.warnings)), sorted(diagnostics))
    }

    /// The names of the FUNCTION_BLOCKs the sources declare (not the Standard library's or stand-ins').
    public var functionBlockNames: [String] {
        index.pous.values.filter { $0.kind == .functionBlock && $0.ast?.location.file.hasPrefix("<") == false }
            .map(\.name).sorted()
    }

    /// The function block `name` (user, Standard library or stand-in), or nil.
    public func functionBlock(_ name: String) -> STBlockType? {
        guard let p = index.pou(name), p.kind != .function else { return nil }
        return STBlockType(pou: p, library: self)
    }

    /// A machine with this library's global variables at their initial values.
    public func makeMachine() -> STMachine { STMachine(self) }
}
