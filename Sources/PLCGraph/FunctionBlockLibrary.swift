public import PLCCore
import Glibc

/// An FBD function block type: a file `<Name>.yaml` whose first key is `function_block: <Name>`.
///
/// Written like a program file without task and buses; its VAR_INPUT, VAR_OUTPUT and VAR variables
/// are its interface and state. Programs instantiate it like any block type; the loader flattens each
/// instance into the program's own blocks and variables (`office.csv`, `office.rPower`), so a scan
/// runs the inner blocks directly and the function block costs nothing at run time.
public final class FunctionBlockDefinition: Sendable {
    public let name: String
    public let path: String
    /// The file as written.
    public let written: ProgramFile
    /// The network with the function blocks it uses flattened in (names relative to this block).
    public let flat: ProgramFile
    /// VAR_INPUT, VAR_OUTPUT and VAR, in file order: the block's variable table.
    public let interface: VarTable

    init(name: String, path: String, written: ProgramFile, flat: ProgramFile) {
        self.name = name
        self.path = path
        self.written = written
        self.flat = flat
        interface = VarTable(name, summary: written.description, written.variables.map(\.decl))
    }
}

/// The FBD function blocks a program uses (inner before outer) and the program as written, before flattening.
public final class FunctionBlockUse: Sendable {
    public let definitions: [FunctionBlockDefinition]
    public let written: ProgramFile

    init(definitions: [FunctionBlockDefinition], written: ProgramFile) {
        self.definitions = definitions
        self.written = written
    }
}

/// Finds, loads and flattens FBD function blocks: beside a program's `program.yaml`, under its
/// `blocks/<Name>/`, or under `blocks/<Name>/` of the nearest folder above that has a `blocks/`.
public enum FunctionBlockLibrary {
    /// `program` with every instance of an FBD function block replaced by the block's inner
    /// instances and variables, named by path; `program` itself when it uses none.
    public static func flatten(_ program: ProgramFile, enums: [String: IECEnumType]) throws(ProgramErrors) -> ProgramFile {
        var loader = Loader(folders: searchFolders(near: program.path), enums: enums)
        for instance in program.instances {
            _ = loader.definition(instance.type, stack: [], usedAt: (instance.file ?? program.path, instance.line))
        }
        guard loader.errors.isEmpty else { throw ProgramErrors(loader.errors) }
        guard !loader.order.isEmpty else { return program }
        var flat = loader.flattenFile(program)
        guard loader.errors.isEmpty else { throw ProgramErrors(loader.errors) }
        flat.functionBlocks = FunctionBlockUse(definitions: loader.order, written: program)
        return flat
    }

    /// The function block `name` found near `folder` (a program folder, or where vector files are),
    /// loaded and flattened; nil when there is no such file.
    public static func definition(_ name: String, near folder: String,
                                  enums: [String: IECEnumType]) throws(ProgramErrors) -> FunctionBlockDefinition? {
        var loader = Loader(folders: searchFolders(near: folder.pathAppending(ProgramLoader.fileName)), enums: enums)
        let found = loader.definition(name, stack: [], usedAt: (folder, 0))
        guard loader.errors.isEmpty else { throw ProgramErrors(loader.errors) }
        return found
    }

    /// The names of the function block files near `folder`, sorted.
    public static func names(near folder: String) -> [String] {
        var names: Set<String> = []
        for dir in searchFolders(near: folder.pathAppending(ProgramLoader.fileName)) {
            for entry in listing(dir) where entry.hasSuffix(".yaml") {
                let name = String(entry.dropLast(5))
                if declares(dir.pathAppending(entry), name) { names.insert(name) }
            }
            let blocks = dir.pathAppending("blocks")
            for entry in listing(blocks) where declares(blocks.pathAppending("\(entry)/\(entry).yaml"), entry) {
                names.insert(entry)
            }
        }
        return names.sorted()
    }

    // MARK: - Finding files

    /// The program's folder, then the nearest folder above it that has a `blocks/` folder.
    static func searchFolders(near programPath: String) -> [String] {
        let folder = programPath.pathDeletingLastComponent
        var folders = [folder.isEmpty ? "." : folder]
        var dir = (folder.isEmpty ? "." : folder).pathResolvingSymlinks
        while true {
            let parent = dir.pathDeletingLastComponent
            guard !parent.isEmpty, parent != dir else { break }
            dir = parent
            if isDirectory(dir.pathAppending("blocks")) {
                folders.append(dir)
                break
            }
        }
        return folders
    }

    /// The file of function block `name`: `<folder>/<name>.yaml` or `<folder>/blocks/<name>/<name>.yaml`
    /// whose first key is `function_block: <name>`.
    static func locate(_ name: String, in folders: [String]) -> String? {
        guard ProgramLoader.isIdentifierText(name) else { return nil }
        for folder in folders {
            for path in [folder.pathAppending("\(name).yaml"), folder.pathAppending("blocks/\(name)/\(name).yaml")]
            where firstKey(path)?.key == "function_block" {
                return path
            }
        }
        return nil
    }

    /// True when the first key of `path` is `function_block: <name>`.
    static func declares(_ path: String, _ name: String) -> Bool {
        guard let (key, value) = firstKey(path) else { return false }
        return key == "function_block" && value == name
    }

    /// The first key of a YAML file and its value (comments and blank lines skipped), for a regular file.
    static func firstKey(_ path: String) -> (key: String, value: String)? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size < 1 << 20 else { return nil }
        for line in FileBytes.text(path).split(separator: "\n", omittingEmptySubsequences: true) {
            let text = line.trimmingSpaces()
            if text.isEmpty || text.hasPrefix("#") || text == "---" { continue }
            guard let colon = text.firstIndex(of: ":") else { return nil }
            var value = text[text.index(after: colon)...].trimmingSpaces()
            if let hash = value.firstIndex(of: "#") { value = String(value[..<hash]).trimmingSpaces() }
            return (String(text[..<colon]).trimmingSpaces(), value)
        }
        return nil
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    private static func listing(_ folder: String) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    // MARK: - Loading and flattening

    private struct Loader {
        let folders: [String]
        let enums: [String: IECEnumType]
        var cache: [String: FunctionBlockDefinition] = [:]
        var notFound: Set<String> = []
        var failed: Set<String> = []
        var errors: [SourceError] = []
        /// Every definition loaded, inner before outer.
        var order: [FunctionBlockDefinition] = []

        init(folders: [String], enums: [String: IECEnumType]) {
            self.folders = folders
            self.enums = enums
        }

        /// The definition of type `name`, or nil when it is no function block file (or is broken:
        /// then `errors` says why). `stack` holds the blocks being loaded, outermost first.
        mutating func definition(_ name: String, stack: [String],
                                 usedAt: (file: String, line: Int)) -> FunctionBlockDefinition? {
            let key = name.uppercased()
            if let known = cache[key] { return known }
            if notFound.contains(key) || failed.contains(key) { return nil }
            if let start = stack.firstIndex(of: key) {
                let chain = (stack[start...] + [key]).map { k in cache[k]?.name ?? pending[k] ?? k }
                errors.append(SourceError(file: usedAt.file, line: usedAt.line,
                                          "function block \(chain[0]) uses itself: \(chain.joined(separator: " -> "))"))
                return nil
            }
            guard let path = FunctionBlockLibrary.locate(name, in: folders) else {
                notFound.insert(key)
                return nil
            }
            let written: ProgramFile
            do throws(ProgramErrors) {
                let text: String
                do throws(SourceError) {
                    text = try TextInput.read(path, what: "function block")
                } catch {
                    throw ProgramErrors([error])
                }
                written = try ProgramLoader.parseFunctionBlock(text, path: path, enums: enums)
            } catch {
                errors += error.errors
                failed.insert(key)
                return nil
            }
            pending[key] = written.name
            defer { pending[key] = nil }
            let before = errors.count
            for instance in written.instances {
                _ = definition(instance.type, stack: stack + [key], usedAt: (path, instance.line))
            }
            guard errors.count == before else {
                failed.insert(key)
                return nil
            }
            let flat = flattenFile(written)
            guard errors.count == before else {
                failed.insert(key)
                return nil
            }
            let definition = FunctionBlockDefinition(name: written.name, path: path, written: written, flat: flat)
            cache[key] = definition
            order.append(definition)
            return definition
        }

        /// Names of blocks being loaded (for the recursion message).
        private var pending: [String: String] = [:]

        private mutating func error(_ file: String, _ line: Int, _ message: String) {
            errors.append(SourceError(file: file, line: line, message))
        }

        /// `file` with its function block instances expanded (their definitions are loaded).
        mutating func flattenFile(_ file: ProgramFile) -> ProgramFile {
            var blocks: [String: (ProgramFile.Instance, FunctionBlockDefinition)] = [:]
            for instance in file.instances {
                if let d = cache[instance.type.uppercased()] { blocks[instance.name.uppercased()] = (instance, d) }
            }
            var result = file
            result.instances = []
            for var instance in file.instances {
                let fileOfInstance = instance.file ?? file.path
                instance.inputs = instance.inputs.map { wire in
                    guard case .pin(let name, let pin, let index) = wire.source, let (block, d) = blocks[name.uppercased()] else {
                        return wire
                    }
                    let at = wire.file ?? fileOfInstance
                    guard let decl = d.interface.decl(pin), decl.scope == .output else {
                        let outputs = d.interface.decls(in: .output).map(\.name).joined(separator: ", ")
                        error(at, wire.line, "\(block.name) (\(d.name)) has no output '\(pin)' (outputs: \(outputs))")
                        return wire
                    }
                    if index != nil {
                        error(at, wire.line, "\(block.name).\(decl.name): wire a function block's output whole, not one element")
                    }
                    var copy = ProgramFile.Wire(pin: wire.pin, index: wire.index, source: .name("\(block.name).\(decl.name)"),
                                                negate: wire.negate, feedback: wire.feedback, line: wire.line)
                    copy.file = wire.file
                    return copy
                }
                if let d = cache[instance.type.uppercased()] {
                    expand(instance, d, outerPath: fileOfInstance, into: &result)
                } else {
                    result.instances.append(instance)
                }
            }
            return result
        }

        /// Appends the variables and instances of one function block instance, named by its path.
        private mutating func expand(_ x: ProgramFile.Instance, _ d: FunctionBlockDefinition, outerPath: String,
                                     into result: inout ProgramFile) {
            let prefix = x.name + "."
            var wired: [String: ProgramFile.Wire] = [:]
            for w in x.inputs {
                let at = w.file ?? outerPath
                guard let decl = d.interface.decl(w.pin), decl.scope == .input else {
                    let inputs = d.interface.decls(in: .input).map(\.name).joined(separator: ", ")
                    error(at, w.line, "\(x.name) (\(d.name)) has no input '\(w.pin)' (inputs: \(inputs))")
                    continue
                }
                if w.index != nil { error(at, w.line, "\(x.name).\(decl.name): wire a function block's input whole, not one element") }
                if let first = wired[decl.name.uppercased()] {
                    error(at, w.line, "\(x.name).\(decl.name) is fed twice (also on line \(first.line))")
                    continue
                }
                var w = w
                w.file = at
                wired[decl.name.uppercased()] = w
            }
            let variables = Set(d.flat.variables.map { $0.decl.name.uppercased() })
            let inputs = Set(d.interface.decls(in: .input).map { $0.name.uppercased() })
            for v in d.flat.variables where wired[v.decl.name.uppercased()] == nil {
                let decl = v.decl
                let scope: VarDecl.Scope = decl.scope == .global ? .global : .local
                result.variables.append(.init(decl: VarDecl(scope, prefix + decl.name, decl.type, initial: decl.initial,
                                                            comment: decl.comment), line: v.line))
            }
            var extra: [String: [ProgramFile.Assignment]] = [:]   // inner instance -> outer assignments
            for a in x.outputs {
                let at = a.file ?? outerPath
                guard let decl = d.interface.decl(a.pin), decl.scope == .output else {
                    let outputs = d.interface.decls(in: .output).map(\.name).joined(separator: ", ")
                    error(at, a.line, "\(x.name) (\(d.name)) has no output '\(a.pin)' (outputs: \(outputs))")
                    continue
                }
                let writers = d.flat.instances.filter { $0.outputs.contains { $0.variable.uppercased() == decl.name.uppercased() } }
                guard let writer = writers.first, let pin = writer.outputs.first(where: { $0.variable.uppercased() == decl.name.uppercased() })?.pin else {
                    error(at, a.line, "\(x.name).\(decl.name) is never assigned inside \(d.name)")
                    continue
                }
                var assignment = ProgramFile.Assignment(pin: pin, variable: a.variable, line: a.line)
                assignment.file = at
                extra[writer.name.uppercased(), default: []].append(assignment)
            }
            for inner in d.flat.instances {
                let innerFile = inner.file ?? d.path
                var copy = ProgramFile.Instance(name: prefix + inner.name, type: inner.type, line: inner.line,
                                                bus: inner.bus ?? x.bus, inputs: [], outputs: [])
                copy.file = innerFile
                for w in inner.inputs {
                    var source = w.source
                    var negate = w.negate
                    var feedback = w.feedback
                    var line = w.line
                    var at = w.file ?? innerFile
                    switch w.source {
                    case .pin(let name, let pin, let index):
                        source = .pin(instance: prefix + name, pin: pin, index: index)
                    case .name(let name):
                        if let outer = wired[name.uppercased()], inputs.contains(name.uppercased()) {
                            source = outer.source
                            negate = negate != outer.negate
                            feedback = feedback || outer.feedback
                            line = outer.line
                            at = outer.file ?? outerPath
                        } else if variables.contains(name.uppercased()) {
                            source = .name(prefix + name)
                        }
                    case .literal:
                        break
                    }
                    var wire = ProgramFile.Wire(pin: w.pin, index: w.index, source: source, negate: negate,
                                                feedback: feedback, line: line)
                    wire.file = at
                    copy.inputs.append(wire)
                }
                for a in inner.outputs {
                    if inputs.contains(a.variable.uppercased()) {
                        error(a.file ?? innerFile, a.line, "\(d.name) assigns its input \(a.variable); inputs are read only")
                    }
                    var assignment = ProgramFile.Assignment(pin: a.pin, variable: prefix + a.variable, line: a.line)
                    assignment.file = a.file ?? innerFile
                    copy.outputs.append(assignment)
                }
                copy.outputs += extra[inner.name.uppercased()] ?? []
                result.instances.append(copy)
            }
        }
    }
}
