public import PLCCore
import PLCYAML
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// Reads a program folder's `program.yaml` into a `ProgramFile`, collecting every structural problem.
public struct ProgramLoader {
    /// The file name of a program inside its folder.
    public static let fileName = "program.yaml"

    private let reader: YAMLReader
    private var errors: [SourceError] = []
    /// Reading a function block file: no task or buses; VAR_INPUT and VAR_OUTPUT variables.
    private var functionBlock = false

    private init(path: String) {
        reader = YAMLReader(path: path)
    }

    /// The path of the program file for `location` (a program folder or the file itself).
    public static func programPath(_ location: String) -> String {
        var isDirectory = false
        if FileManager.default.fileExists(atPath: location, isDirectory: &isDirectory), isDirectory {
            return location.pathAppending(fileName)
        }
        return location
    }

    /// Loads the program at `location`; throws `ProgramErrors` listing every problem found.
    public static func load(_ location: String, enums: [String: IECEnumType]) throws(ProgramErrors) -> ProgramFile {
        let path = programPath(location)
        let text: String
        do throws(SourceError) {
            // A named pipe is never waited on; bytes that are not UTF-8 or a NUL get their line.
            text = try TextInput.read(path, what: "program")
        } catch {
            throw ProgramErrors([error])
        }
        return try parse(text, path: path, enums: enums)
    }

    /// Parses program text; `path` is used in messages. Function blocks it uses are flattened in.
    public static func parse(_ text: String, path: String, enums: [String: IECEnumType]) throws(ProgramErrors) -> ProgramFile {
        try FunctionBlockLibrary.flatten(parse(text, path: path, enums: enums, functionBlock: false), enums: enums)
    }

    /// Parses an FBD function block file (first key `function_block:`): a program file without task
    /// and buses whose variables may be VAR_INPUT and VAR_OUTPUT. It is not flattened.
    public static func parseFunctionBlock(_ text: String, path: String, enums: [String: IECEnumType]) throws(ProgramErrors) -> ProgramFile {
        try parse(text, path: path, enums: enums, functionBlock: true)
    }

    private static func parse(_ text: String, path: String, enums: [String: IECEnumType],
                              functionBlock: Bool) throws(ProgramErrors) -> ProgramFile {
        var loader = ProgramLoader(path: path)
        loader.functionBlock = functionBlock
        let root: Node
        do {
            root = try loader.reader.compose(text)
        } catch {
            throw ProgramErrors([error])
        }
        let program = loader.program(root, enums: enums)
        if !loader.errors.isEmpty { throw ProgramErrors(loader.errors) }
        return program
    }

    // MARK: - Sections

    private mutating func program(_ root: Node, enums: [String: IECEnumType]) -> ProgramFile {
        checkKeys(root, functionBlock ? ["function_block", "description", "variables", "blocks"]
                  : ["program", "description", "task", "tasks", "buses", "variables", "blocks"], functionBlock ? "a function block" : "a program")
        let name = string(root, functionBlock ? "function_block" : "program") ?? reader.path.pathDeletingLastComponent.split(separator: "/").last.map(String.init) ?? "program"
        var file = ProgramFile(
            path: reader.path, name: name, description: string(root, "description") ?? "",
            task: reader.value(root, "task").map { task($0) } ?? ProgramFile.Task(),
            buses: reader.value(root, "buses").map { buses($0) } ?? [],
            variables: reader.value(root, "variables").map { variables($0, enums: enums) } ?? [],
            instances: reader.value(root, "blocks").map { instances($0) } ?? []
        )
        if let list = reader.value(root, "tasks") { file.tasks = tasks(list, root: root, instances: file.instances) }
        return file
    }

    /// A `tasks:` list: each {name, interval, priority, watchdog, sensitivity, overrun, blocks}; every
    /// block in at most one task, blocks in none run in the first.
    private mutating func tasks(_ node: Node, root: Node, instances: [ProgramFile.Instance]) -> [ProgramFile.TaskEntry] {
        if let single = reader.value(root, "task") {
            errors.append(reader.error(single, "write either task: (one task) or tasks: (a list), not both"))
        }
        guard let items = node.sequence, !items.isEmpty else {
            errors.append(reader.error(node, "tasks must be a list of {name, interval, priority, watchdog, sensitivity, overrun, blocks}"))
            return []
        }
        var result: [ProgramFile.TaskEntry] = []
        var owner: [String: String] = [:]
        let known = Set(instances.map { $0.name.uppercased() })
        for item in items {
            guard let name = string(item, "name"), isIdentifier(name) else {
                errors.append(reader.error(item, "a task needs a name that is an IEC identifier"))
                continue
            }
            checkKeys(item, ["name", "interval", "priority", "watchdog", "sensitivity", "overrun", "blocks"], "a task")
            var settings = task(item, checkingKeys: false)
            if reader.value(item, "interval") == nil { settings.interval = ProgramFile.Task().interval }
            var priority = 15
            if let n = reader.value(item, "priority") {
                if let v = n.scalar.flatMap({ Int($0.string) }), (0...31).contains(v) { priority = v }
                else { errors.append(reader.error(n, "task \(name): priority must be a whole number from 0 to 31")) }
            }
            var blocks: [String] = []
            if let list = reader.value(item, "blocks") {
                for b in list.sequence ?? [] {
                    guard let text = b.scalar?.string else { continue }
                    if !known.contains(text.uppercased()) {
                        errors.append(reader.error(b, "task \(name): no block named '\(text)'"))
                    } else if let other = owner[text.uppercased()] {
                        errors.append(reader.error(b, "task \(name): block \(text) already runs in task \(other)"))
                    } else {
                        owner[text.uppercased()] = name
                        blocks.append(text)
                    }
                }
                if list.sequence == nil { errors.append(reader.error(list, "task \(name): blocks must be a list of block names")) }
            }
            result.append(.init(name: name, settings: settings, priority: priority, blocks: blocks, line: reader.line(item)))
        }
        if !result.isEmpty {
            result[0].blocks += instances.map(\.name).filter { owner[$0.uppercased()] == nil }
        }
        singleWriter(instances, taskOf: owner, firstTask: result.first?.name ?? "")
        return result
    }

    /// A variable assigned by blocks of two tasks: refused, since each task keeps its own copy and
    /// only the first task's would reach the others (Codesys's static analysis reports the same
    /// program as SA0006, "write access from several tasks", where the last writer wins).
    private mutating func singleWriter(_ instances: [ProgramFile.Instance], taskOf: [String: String], firstTask: String) {
        var writer: [String: (task: String, block: String)] = [:]
        for instance in instances {
            let task = taskOf[instance.name.uppercased()] ?? firstTask
            for output in instance.outputs {
                let key = output.variable.uppercased()
                guard let first = writer[key] else { writer[key] = (task, instance.name); continue }
                guard first.task != task else { continue }
                errors.append(SourceError(file: output.file ?? reader.path, line: output.line,
                                          "\(instance.name).\(output.pin) assigns \(output.variable) in task \(task), and "
                                          + "\(first.block) assigns it in task \(first.task): a variable is written by one task "
                                          + "only (each task keeps its own copy; Codesys reports this as SA0006)"))
            }
        }
    }

    private mutating func task(_ node: Node, checkingKeys: Bool = true) -> ProgramFile.Task {
        var task = ProgramFile.Task()
        if checkingKeys { checkKeys(node, ["interval", "watchdog", "sensitivity", "overrun"], "the task") }
        if let n = reader.value(node, "interval"), let ms = time(n, "task interval") {
            if ms > 0 { task.interval = ms } else { errors.append(reader.error(n, "task interval must be > 0")) }
        }
        if let n = reader.value(node, "watchdog"), let ms = time(n, "task watchdog") { task.watchdog = max(0, ms) }
        if let n = reader.value(node, "sensitivity") {
            if let v = n.scalar.flatMap({ Int($0.string) }), v >= 1 { task.sensitivity = v }
            else { errors.append(reader.error(n, "task sensitivity must be a whole number >= 1")) }
        }
        if let n = reader.value(node, "overrun") {
            if let p = n.scalar.flatMap({ ProgramFile.OverrunPolicy(rawValue: $0.string) }) { task.overrun = p }
            else { errors.append(reader.error(n, "task overrun must be 'skip' or 'catch-up'")) }
        }
        return task
    }

    private mutating func buses(_ node: Node) -> [ProgramFile.Bus] {
        guard let map = node.mapping else {
            errors.append(reader.error(node, "buses must map a bus name to its settings"))
            return []
        }
        var result: [ProgramFile.Bus] = []
        for (key, value) in map {
            guard let name = key.scalar?.string, let settings = value.mapping else {
                errors.append(reader.error(value, "a bus must be a mapping of settings (kind, device, baud, ...)"))
                continue
            }
            var bus = ProgramFile.Bus(name: name, line: reader.line(key), settings: [])
            for (k, v) in settings {
                guard let k = k.scalar?.string, let text = v.scalar?.string else {
                    errors.append(reader.error(v, "bus \(name): each setting must be a single value"))
                    continue
                }
                bus.settings.append(.init(k, text, .line(reader.line(v))))
            }
            result.append(bus)
        }
        return result
    }

    private mutating func variables(_ node: Node, enums: [String: IECEnumType]) -> [ProgramFile.Variable] {
        guard let items = node.sequence else {
            errors.append(reader.error(node, "variables must be a list of {scope, name, type, initial, comment}"))
            return []
        }
        var result: [ProgramFile.Variable] = []
        for item in items {
            checkKeys(item, ["scope", "name", "type", "initial", "comment", "retain", "persistent", "online"], "a variable")
            let line = reader.line(item)
            guard let name = string(item, "name"), let typeText = string(item, "type") else {
                errors.append(reader.error(item, "a variable needs a name and a type"))
                continue
            }
            guard isIdentifier(name) else {
                errors.append(reader.error(item, "'\(name)' is not a valid IEC identifier"))
                continue
            }
            let scopeText = string(item, "scope") ?? "VAR"
            let allowed: [VarDecl.Scope] = functionBlock ? [.input, .output, .local] : [.local, .global]
            guard let scope = VarDecl.Scope(rawValue: scopeText), allowed.contains(scope) else {
                errors.append(reader.error(item, "variable \(name): scope must be "
                    + (functionBlock ? "VAR_INPUT, VAR_OUTPUT or VAR" : "VAR or VAR_GLOBAL") + ", not '\(scopeText)'"))
                continue
            }
            do throws(IECError) {
                let type = try IECType.parse(typeText, enums: enums)
                let initial = try string(item, "initial").map { text throws(IECError) in try IECLiteral.parse(text, as: type) }
                result.append(.init(decl: VarDecl(scope, name, type, initial: initial, comment: string(item, "comment") ?? ""),
                                    line: line, retain: retainClass(item, name), onlineWritable: onlineAccess(item, name)))
            } catch {
                errors.append(reader.error(item, "variable \(name): \(error.message)"))
            }
        }
        return result
    }

    private mutating func instances(_ node: Node) -> [ProgramFile.Instance] {
        guard let items = node.sequence else {
            errors.append(reader.error(node, "blocks must be a list of {name, type, inputs, outputs}"))
            return []
        }
        var result: [ProgramFile.Instance] = []
        for item in items {
            checkKeys(item, ["name", "type", "bus", "inputs", "outputs", "comment", "retain", "persistent"], "a block")
            guard let name = string(item, "name"), let type = string(item, "type") else {
                errors.append(reader.error(item, "a block needs a name and a type"))
                continue
            }
            guard isIdentifier(name) else {
                errors.append(reader.error(item, "'\(name)' is not a valid IEC identifier"))
                continue
            }
            var instance = ProgramFile.Instance(name: name, type: type, line: reader.line(item),
                                                bus: string(item, "bus"), inputs: [], outputs: [],
                                                retain: retainClass(item, name))
            if let inputs = reader.value(item, "inputs") {
                if let map = inputs.mapping {
                    for (key, value) in map { if let w = wire(key, value) { instance.inputs.append(w) } }
                } else {
                    errors.append(reader.error(inputs, "inputs must map a pin to its source (PIN: source)"))
                }
            }
            if let outputs = reader.value(item, "outputs") {
                if let map = outputs.mapping {
                    for (key, value) in map {
                        guard let pin = key.scalar?.string, let variable = value.scalar?.string else {
                            errors.append(reader.error(value, "outputs map a pin to a program variable (PIN: Variable)"))
                            continue
                        }
                        instance.outputs.append(.init(pin: pin, variable: variable, line: reader.line(key)))
                    }
                } else {
                    errors.append(reader.error(outputs, "outputs must map a pin to a program variable (PIN: Variable)"))
                }
            }
            result.append(instance)
        }
        return result
    }

    // MARK: - Wires

    private mutating func wire(_ key: Node, _ value: Node) -> ProgramFile.Wire? {
        let line = reader.line(key)
        guard let target = key.scalar?.string, let (pin, index) = Self.splitIndex(target) else {
            errors.append(reader.error(key, "'\(key.scalar?.string ?? "?")' is not a pin name (PIN or PIN[index])"))
            return nil
        }
        var negate = false
        var feedback = false
        var sourceNode = value
        if value.mapping != nil {
            checkKeys(value, ["from", "negate", "feedback"], "a wire")
            guard let from = reader.value(value, "from") else {
                errors.append(reader.error(value, "a wire written as a mapping needs 'from'"))
                return nil
            }
            sourceNode = from
            negate = flag(value, "negate")
            feedback = flag(value, "feedback")
        }
        guard let scalar = sourceNode.scalar else {
            errors.append(reader.error(sourceNode, "the source of \(target) must be a single value"))
            return nil
        }
        if scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
            // Quoted: a pin reference (quotes are needed for [ in a flow mapping) or else literal text.
            var source = ProgramFile.Source.literal(scalar.string)
            if case .pin = Self.classify(scalar.string) { source = Self.classify(scalar.string) }
            return .init(pin: pin, index: index, source: source, negate: negate, feedback: feedback, line: line)
        }
        var text = scalar.string.trimmingSpaces()
        if text.uppercased().hasPrefix("NOT ") {
            negate.toggle()
            text = String(text.dropFirst(4)).trimmingSpaces()
        }
        return .init(pin: pin, index: index, source: Self.classify(text), negate: negate, feedback: feedback, line: line)
    }

    /// Sorts wire text into an instance pin, a bare name, or a literal.
    static func classify(_ text: String) -> ProgramFile.Source {
        let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 2, isIdentifierText(parts[0]), let (pin, index) = splitIndex(parts[1]), isIdentifierText(pin) {
            return .pin(instance: parts[0], pin: pin, index: index)
        }
        if isIdentifierText(text) { return .name(text) }
        return .literal(text)
    }

    /// `awData[12]` → ("awData", 12); `Q` → ("Q", nil); nil when malformed.
    static func splitIndex(_ text: String) -> (String, Int?)? {
        guard let open = text.firstIndex(of: "[") else { return (text, nil) }
        guard text.hasSuffix("]"), let index = Int(text[text.index(after: open)..<text.index(before: text.endIndex)]),
              index >= 0 else { return nil }
        return (String(text[..<open]), index)
    }

    static func isIdentifierText(_ s: String) -> Bool {
        guard let first = s.first, first.isLetter || first == "_" else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && s.allSatisfy(\.isASCII)
    }

    private func isIdentifier(_ s: String) -> Bool { Self.isIdentifierText(s) }

    // MARK: - Scalars

    /// `retain: true` / `persistent: true` on a variable or block entry (both: an error).
    private mutating func retainClass(_ item: Node, _ name: String) -> RetainClass? {
        let retain = flag(item, "retain"), persistent = flag(item, "persistent")
        if retain && persistent {
            errors.append(reader.error(item, "\(name): write either retain: true or persistent: true, not both"))
        }
        return persistent ? .persistent : retain ? .retain : nil
    }

    /// `online: write` on a variable entry (the only access a program can grant; reading is free).
    private mutating func onlineAccess(_ item: Node, _ name: String) -> Bool {
        guard let node = reader.value(item, "online") else { return false }
        guard node.scalar?.string == "write" else {
            errors.append(reader.error(node, "variable \(name): online must be 'write' (operators may write and force it)"))
            return false
        }
        return true
    }

    private func string(_ node: Node, _ key: String) -> String? {
        reader.value(node, key)?.scalar?.string
    }

    private func flag(_ node: Node, _ key: String) -> Bool {
        guard let text = string(node, key)?.lowercased() else { return false }
        return text == "true" || text == "yes"
    }

    private mutating func time(_ node: Node, _ what: String) -> Int64? {
        guard let text = node.scalar?.string else {
            errors.append(reader.error(node, "\(what) must be a TIME literal such as T#100ms"))
            return nil
        }
        do {
            return try IECLiteral.parseTime(text)
        } catch {
            errors.append(reader.error(node, "\(what): \(error.message)"))
            return nil
        }
    }

    private mutating func checkKeys(_ node: Node, _ allowed: Set<String>, _ what: String) {
        do { try reader.checkKeys(node, allowed, what) } catch { errors.append(error) }
    }
}
