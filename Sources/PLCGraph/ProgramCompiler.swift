public import PLCCore

/// Checks a `ProgramFile` against a block library and compiles it; reports every error found.
public struct ProgramCompiler {
    private let file: ProgramFile
    private let library: BlockLibrary
    private var errors: [SourceError] = []
    /// The file the lines being checked are in, when not the program's (a flattened function block).
    private var at: String?

    /// A resolved wire source.
    private enum Resolved {
        case pin(Int, Int, IECType)
        case element(Int, Int, Int, IECType)
        case variable(Int, IECType)
        case literal(IECValue)
    }

    /// Block objects to use instead of new ones, by upper-cased instance name (an online change).
    private let reusing: [String: any FunctionBlock]
    /// The reused blocks a running program owns: their literal inputs are stored at the swap, not here.
    private let live: Set<ObjectIdentifier>
    private var deferred: [(CompiledProgram.Endpoint, IECValue)] = []

    private init(file: ProgramFile, library: BlockLibrary, reusing: [String: any FunctionBlock] = [:],
                 live: Set<ObjectIdentifier> = []) {
        self.file = file
        self.library = library
        self.reusing = reusing
        self.live = live
    }

    /// Compiles `file`; throws `ProgramErrors` listing every problem (in line order).
    public static func compile(_ file: ProgramFile, library: BlockLibrary) throws(ProgramErrors) -> CompiledProgram {
        try compile(file, library: library, reusing: [:], live: [])
    }

    /// Compiles `file` with the block objects of `reusing` (by upper-cased instance name, of the
    /// instance's type) instead of new ones; literal inputs of the `live` ones are left for the swap.
    static func compile(_ file: ProgramFile, library: BlockLibrary, reusing: [String: any FunctionBlock],
                        live: Set<ObjectIdentifier>) throws(ProgramErrors) -> CompiledProgram {
        var compiler = ProgramCompiler(file: file, library: library, reusing: reusing, live: live)
        let program = compiler.build()
        if let program, compiler.errors.isEmpty {
            program.pendingLiterals = compiler.deferred
            return program
        }
        throw ProgramErrors(compiler.errors)
    }

    private mutating func error(_ line: Int, _ message: String) {
        errors.append(SourceError(file: at ?? file.path, line: line, message))
    }

    // MARK: - Build

    private mutating func build() -> CompiledProgram? {
        // Variables.
        var seen: [String: Int] = [:]
        for v in file.variables {
            if let first = seen[v.decl.name.uppercased()] {
                error(v.line, "variable \(v.decl.name) is declared twice (first on line \(first))")
            } else {
                seen[v.decl.name.uppercased()] = v.line
            }
        }
        let variables = VarTable(file.name, file.variables.map(\.decl))
        let storage = SlotStorage(variables)

        // Instances.
        var instances: [CompiledProgram.Instance] = []
        var instanceIndex: [String: Int] = [:]
        var fileIndexOf: [Int] = []   // instances[i] came from file.instances[fileIndexOf[i]]
        for (f, inst) in file.instances.enumerated() {
            at = inst.file
            let key = inst.name.uppercased()
            if let first = instanceIndex[key] {
                error(inst.line, "block \(inst.name) is declared twice (first on line \(instances[first].line))")
                continue
            }
            if let line = seen[key] {
                error(inst.line, "block \(inst.name) has the name of the variable on line \(line)")
                continue
            }
            guard let type = library.entry(named: inst.type) else {
                error(inst.line, "unknown block type '\(inst.type)' (known: \(library.typeNames.joined(separator: ", ")))")
                continue
            }
            if let bus = inst.bus, !file.buses.contains(where: { $0.name == bus }) {
                error(inst.line, "block \(inst.name) uses bus '\(bus)', which is not declared under buses")
            }
            instanceIndex[key] = instances.count
            let block = reusing[key] ?? type.make()
            instances.append(.init(name: inst.name, block: block, interface: type.interface, pins: block.pins,
                                   bus: inst.bus, line: inst.line))
            fileIndexOf.append(f)
        }
        at = nil

        // Wires and assignments, with the data-flow edges they imply.
        var inputSteps: [[CompiledProgram.Step]] = Array(repeating: [], count: instances.count)
        var outputSteps: [[CompiledProgram.Step]] = Array(repeating: [], count: instances.count)
        var edges: [Set<Int>] = Array(repeating: [], count: instances.count)   // from -> to
        var edgeLine: [Int: [Int: Int]] = [:]
        var readers: [Int: [Int]] = [:]       // variable -> instances reading it
        var writers: [Int: (Int, Int)] = [:]  // variable -> (instance, line)
        var feedbackWires: [String] = []
        var boxed: [CompiledProgram.BoxedCopy] = []

        for (i, instance) in instances.enumerated() {
            let decl = file.instances[fileIndexOf[i]]
            let interface = instance.interface
            var fed: [String: Int] = [:]
            for wire in decl.inputs {
                at = wire.file ?? decl.file
                guard let pin = interface.index(of: wire.pin), interface.decls[pin].scope == .input else {
                    let inputs = interface.decls(in: .input).map(\.name).joined(separator: ", ")
                    let what = interface.index(of: wire.pin) == nil ? "has no input" : "cannot be fed at its output"
                    error(wire.line, "\(instance.name) (\(interface.name)) \(what) '\(wire.pin)' (inputs: \(inputs))")
                    continue
                }
                let pinDecl = interface.decls[pin]
                var targetType = pinDecl.type
                let target = wire.index.map { "\(pinDecl.name)[\($0)]" } ?? pinDecl.name
                if let index = wire.index {
                    guard case .array(let element, let count) = pinDecl.type else {
                        error(wire.line, "\(instance.name).\(pinDecl.name) is \(pinDecl.type.name), not an array")
                        continue
                    }
                    guard index < count else {
                        error(wire.line, "\(instance.name).\(target): index out of range 0..\(count - 1)")
                        continue
                    }
                    targetType = element
                }
                let wholeKey = pinDecl.name.uppercased()
                let key = target.uppercased()
                // An element clashes with itself or the whole array; the whole array with any element.
                let earlier = wire.index != nil
                    ? fed[key] ?? fed[wholeKey]
                    : fed[key] ?? fed.first { $0.key.hasPrefix(wholeKey + "[") }?.value
                if let first = earlier {
                    error(wire.line, "\(instance.name).\(target) is fed twice (also on line \(first))")
                    continue
                }
                fed[key] = wire.line
                instances[i].wiredInputs.insert(wholeKey)
                guard let source = resolve(wire, targetType: targetType, target: "\(instance.name).\(target)",
                                           instanceIndex: instanceIndex, variables: variables, instances: instances)
                else { continue }
                if wire.negate && targetType != .bool {
                    error(wire.line, "NOT applies to BOOL only; \(instance.name).\(target) is \(targetType.name)")
                    continue
                }
                let destination = endpoint(instances[i], i, pin, element: wire.index)
                switch source {
                case .literal(let value):
                    let literal = wire.negate ? IECValue.bool(!value.bool) : value
                    if live.contains(ObjectIdentifier(instance.block as AnyObject)) {
                        deferred.append((destination, literal))
                    } else {
                        store(literal, destination, instance.block)
                    }
                    if wire.feedback { error(wire.line, "feedback applies to a wire from a block output, not a literal") }
                case .variable(let v, _):
                    inputSteps[i].append(CompiledProgram.copy(.ref(storage.slots[v], element: nil), destination,
                                                              negate: wire.negate, boxed: &boxed))
                    readers[v, default: []].append(i)
                    if wire.feedback { error(wire.line, "feedback applies to a wire from a block output, not a variable") }
                case .pin(let s, let sp, _), .element(let s, let sp, _, _):
                    var element: Int?
                    if case .element(_, _, let index, _) = source { element = index }
                    inputSteps[i].append(CompiledProgram.copy(endpoint(instances[s], s, sp, element: element), destination,
                                                              negate: wire.negate, boxed: &boxed))
                    if wire.feedback {
                        feedbackWires.append("\(instances[s].name).\(instances[s].interface.decls[sp].name)"
                                             + " -> \(instance.name).\(target)")
                    } else {
                        edges[s].insert(i)
                        edgeLine[s, default: [:]][i] = wire.line
                    }
                }
            }
            at = decl.file
            for d in interface.decls where d.required && fed[d.name.uppercased()] == nil {
                error(decl.line, "\(instance.name) (\(interface.name)): required input \(d.name) is not connected")
            }
            for assignment in decl.outputs {
                at = assignment.file ?? decl.file
                guard let pin = interface.index(of: assignment.pin), interface.decls[pin].scope == .output else {
                    let outputs = interface.decls(in: .output).map(\.name).joined(separator: ", ")
                    error(assignment.line, "\(instance.name) (\(interface.name)) has no output '\(assignment.pin)' (outputs: \(outputs))")
                    continue
                }
                guard let v = variables.index(of: assignment.variable) else {
                    error(assignment.line, "unknown variable '\(assignment.variable)'")
                    continue
                }
                let pinType = interface.decls[pin].type, varType = variables.decls[v].type
                guard pinType == varType else {
                    error(assignment.line, "type mismatch: \(instance.name).\(interface.decls[pin].name) is \(pinType.name) "
                          + "but variable \(variables.decls[v].name) is \(varType.name)")
                    continue
                }
                if let (_, line) = writers[v] {
                    error(assignment.line, "variable \(variables.decls[v].name) is assigned twice (also on line \(line))")
                    continue
                }
                writers[v] = (i, assignment.line)
                outputSteps[i].append(CompiledProgram.copy(endpoint(instances[i], i, pin, element: nil),
                                                           .ref(storage.slots[v], element: nil), negate: false,
                                                           boxed: &boxed))
            }
        }
        at = nil
        for (v, list) in readers {
            guard let (writer, line) = writers[v] else { continue }
            for reader in list where reader != writer {
                edges[writer].insert(reader)
                edgeLine[writer, default: [:]][reader] = line
            }
        }

        guard let order = executionOrder(edges, instances: instances, edgeLine: edgeLine) else { return nil }
        guard errors.isEmpty else { return nil }
        var steps: [CompiledProgram.Step] = []
        for i in order {
            steps += inputSteps[i]
            steps.append(CompiledProgram.call(instances[i].block))
            steps += outputSteps[i]
        }
        return CompiledProgram(file: file, variables: variables, storage: storage, instances: instances, order: order,
                               steps: steps, boxed: boxed, feedbackWires: feedbackWires)
    }

    /// Where pin `pin` of instance `i` lives: its address, or its pin number for a block without pin wrappers.
    private func endpoint(_ instance: CompiledProgram.Instance, _ i: Int, _ pin: Int,
                          element: Int?) -> CompiledProgram.Endpoint {
        instance.pins.isEmpty ? .pin(i, pin, element: element) : .ref(instance.pins[pin], element: element)
    }

    /// Writes a literal into a pin before the first scan.
    private func store(_ value: IECValue, _ endpoint: CompiledProgram.Endpoint, _ block: any FunctionBlock) {
        switch endpoint {
        case .ref(let ref, let element):
            if let element { ref.storeElement(element, value) } else { ref.store(value) }
        case .pin(_, let pin, let element):
            if let element { block.setElement(pin, element, value) } else { block[pin: pin] = value }
        }
    }

    // MARK: - Sources

    private mutating func resolve(_ wire: ProgramFile.Wire, targetType: IECType, target: String,
                                  instanceIndex: [String: Int], variables: VarTable,
                                  instances: [CompiledProgram.Instance]) -> Resolved? {
        func literal(_ text: String) -> IECValue? { try? IECLiteral.parse(text, as: targetType) }
        let resolved: Resolved
        switch wire.source {
        case .pin(let instanceName, let pinName, let index):
            guard let s = instanceIndex[instanceName.uppercased()] else {
                let text = "\(instanceName).\(pinName)" + (index.map { "[\($0)]" } ?? "")
                if targetType != .string, let value = literal(text) { return .literal(value) }
                error(wire.line, "unknown block '\(instanceName)' in '\(text)' (feeding \(target))")
                return nil
            }
            let interface = instances[s].interface
            guard let sp = interface.index(of: pinName) else {
                let outputs = interface.decls(in: .output).map(\.name).joined(separator: ", ")
                error(wire.line, "\(instanceName) (\(interface.name)) has no output '\(pinName)' (outputs: \(outputs))")
                return nil
            }
            let decl = interface.decls[sp]
            guard decl.scope == .output else {
                error(wire.line, "\(instanceName).\(decl.name) is an input; wires start at outputs")
                return nil
            }
            if let index {
                guard case .array(let element, let count) = decl.type else {
                    error(wire.line, "\(instanceName).\(decl.name) is \(decl.type.name), not an array")
                    return nil
                }
                guard index < count else {
                    error(wire.line, "\(instanceName).\(decl.name)[\(index)]: index out of range 0..\(count - 1)")
                    return nil
                }
                resolved = .element(s, sp, index, element)
            } else {
                resolved = .pin(s, sp, decl.type)
            }
        case .name(let name):
            if let v = variables.index(of: name) {
                resolved = .variable(v, variables.decls[v].type)
            } else if instanceIndex[name.uppercased()] != nil {
                error(wire.line, "'\(name)' is a block; wire one of its outputs (\(name).PIN) into \(target)")
                return nil
            } else if targetType != .string, let value = literal(name) {
                return .literal(value)
            } else {
                let hint = targetType == .string ? " (quote text: '\(name)')" : ""
                error(wire.line, "unknown variable '\(name)' feeding \(target)\(hint)")
                return nil
            }
        case .literal(let text):
            do {
                return .literal(try IECLiteral.parse(text, as: targetType))
            } catch {
                self.error(wire.line, "bad literal for \(target) : \(targetType.name): \(error.message)")
                return nil
            }
        }
        let sourceType: IECType
        let sourceText: String
        switch resolved {
        case .pin(let s, let sp, let t):
            sourceType = t
            sourceText = "\(instances[s].name).\(instances[s].interface.decls[sp].name)"
        case .element(let s, let sp, let index, let t):
            sourceType = t
            sourceText = "\(instances[s].name).\(instances[s].interface.decls[sp].name)[\(index)]"
        case .variable(let v, let t):
            sourceType = t
            sourceText = variables.decls[v].name
        case .literal:
            return resolved
        }
        guard sourceType == targetType else {
            error(wire.line, "type mismatch: \(sourceText) is \(sourceType.name) but \(target) is \(targetType.name)")
            return nil
        }
        return resolved
    }

    // MARK: - Order

    /// Kahn's algorithm, always taking the earliest-declared ready block: a stable, data-flow order.
    private mutating func executionOrder(_ edges: [Set<Int>], instances: [CompiledProgram.Instance],
                                         edgeLine: [Int: [Int: Int]]) -> [Int]? {
        var indegree = Array(repeating: 0, count: edges.count)
        for targets in edges { for t in targets { indegree[t] += 1 } }
        var done = Array(repeating: false, count: edges.count)
        var order: [Int] = []
        while order.count < edges.count {
            guard let next = indegree.indices.first(where: { !done[$0] && indegree[$0] == 0 }) else {
                reportLoop(edges, done: done, instances: instances, edgeLine: edgeLine)
                return nil
            }
            done[next] = true
            order.append(next)
            for t in edges[next] { indegree[t] -= 1 }
        }
        return order
    }

    private mutating func reportLoop(_ edges: [Set<Int>], done: [Bool], instances: [CompiledProgram.Instance],
                                     edgeLine: [Int: [Int: Int]]) {
        // Every independent loop is reported, not only the first: walk from a block left over until
        // a block repeats (that walk holds a loop), set the loop aside, drop the blocks that were
        // only downstream of it, and look again.
        var done = done
        while let start = done.indices.first(where: { !done[$0] }) {
            var path: [Int] = []
            var current = start
            while !path.contains(current) {
                path.append(current)
                guard let next = edges[current].sorted().first(where: { !done[$0] }) else { break }
                current = next
            }
            guard path.contains(current), path.last != current || edges[current].contains(current) else {
                done[current] = true                          // a dead end is on no loop
                continue
            }
            let loop = Array(path[path.firstIndex(of: current)!...]) + [current]
            let names = loop.map { instances[$0].name }.joined(separator: " -> ")
            let line = edgeLine[loop[loop.count - 2]]?[current] ?? instances[current].line
            error(line, "loop in the graph: \(names); mark one wire in it as feedback ({from: ..., feedback: true})")
            loop.forEach { done[$0] = true }
            // Blocks fed only by what is set aside now are no part of another loop.
            var changed = true
            while changed {
                changed = false
                for i in done.indices where !done[i] {
                    let fedByLeftover = done.indices.contains { !done[$0] && edges[$0].contains(i) }
                    if !fedByLeftover { done[i] = true; changed = true }
                }
            }
        }
    }
}
