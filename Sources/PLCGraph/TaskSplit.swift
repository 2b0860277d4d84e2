public import PLCCore

/// Splits a program with a `tasks:` list into one program file per task.
///
/// A wire from a block of another task becomes a program variable (`_x_<instance>_<pin>`): the
/// source task assigns the pin to it, the reading task wires from it, and the exchange copies it
/// between the tasks at scan boundaries (`TaskProgram`). Every task keeps its own copy of every
/// program variable; a variable belongs to the task whose block assigns it.
public enum TaskSplit {
    /// The exchange variable that carries `instance.pin` to other tasks.
    public static func exchangeName(_ instance: String, _ pin: String) -> String { "\(exchangePrefix)\(instance)_\(pin)" }
    /// The prefix of every exchange variable (the dashboard hides them).
    public static let exchangePrefix = "_x_"

    /// One file per task of `file.tasks`, in their order; `file` itself when it has the one-task form.
    /// `usesBus` says whether a block type talks on a bus: each task's file keeps only the buses its
    /// blocks use, so a bus has one worker (the first task's file keeps the buses no block uses).
    public static func split(_ file: ProgramFile, library: BlockLibrary, usesBus: (String) -> Bool = { _ in true }) -> [ProgramFile] {
        guard !file.tasks.isEmpty else { return [file] }
        var files = parts(file, library: library)
        var used: Set<String> = []
        for t in files.indices {
            let names = Set(files[t].instances.compactMap { i -> String? in
                if let bus = i.bus { return bus.uppercased() }
                return file.buses.count == 1 && usesBus(i.type) ? file.buses[0].name.uppercased() : nil
            })
            files[t].buses = file.buses.filter { names.contains($0.name.uppercased()) }
            used.formUnion(names)
        }
        files[0].buses += file.buses.filter { !used.contains($0.name.uppercased()) }
        return files
    }

    /// The task (index in `file.tasks`) each program variable belongs to, by uppercased name: the
    /// first task whose block assigns it; a variable no block assigns belongs to the first task.
    public static func owners(_ file: ProgramFile) -> [String: Int] {
        let taskOf = taskIndex(file)
        var owner: [String: Int] = [:]
        for instance in file.instances {
            let t = taskOf[instance.name.uppercased()] ?? 0
            for output in instance.outputs { owner[output.variable.uppercased()] = min(owner[output.variable.uppercased()] ?? t, t) }
        }
        for variable in file.variables where owner[variable.decl.name.uppercased()] == nil { owner[variable.decl.name.uppercased()] = 0 }
        return owner
    }

    /// The task of each block, by uppercased instance name; a block listed in no task runs in the first.
    static func taskIndex(_ file: ProgramFile) -> [String: Int] {
        let listed = Dictionary(file.tasks.enumerated().flatMap { t, entry in entry.blocks.map { ($0.uppercased(), t) } }) { a, _ in a }
        return Dictionary(file.instances.map { ($0.name.uppercased(), listed[$0.name.uppercased()] ?? 0) }) { a, _ in a }
    }

    private static func parts(_ file: ProgramFile, library: BlockLibrary) -> [ProgramFile] {
        let taskOf = taskIndex(file)
        let byName = Dictionary(file.instances.map { ($0.name.uppercased(), $0) }) { a, _ in a }
        var files: [ProgramFile] = file.tasks.map { entry in
            var f = file
            f.tasks = []
            f.task = entry.settings
            f.instances = file.instances.filter { taskOf[$0.name.uppercased()] == file.tasks.firstIndex { $0.name == entry.name } }
            return f
        }
        // Cross-task wires: the reader wires from an exchange variable, the writer assigns it.
        var added: Set<String> = []
        for t in files.indices {
            for i in files[t].instances.indices {
                for w in files[t].instances[i].inputs.indices {
                    let wire = files[t].instances[i].inputs[w]
                    guard case .pin(let source, let pin, nil) = wire.source, let u = taskOf[source.uppercased()], u != t,
                          let instance = byName[source.uppercased()],
                          let type = library.entry(named: instance.type)?.interface.decl(pin)?.type else { continue }
                    let name = exchangeName(instance.name, pin)
                    files[t].instances[i].inputs[w] = .init(pin: wire.pin, index: wire.index, source: .name(name), negate: wire.negate,
                                                            feedback: false, line: wire.line)
                    guard added.insert(name).inserted else { continue }
                    let variable = ProgramFile.Variable(decl: VarDecl(.local, name, type, comment: "\(source).\(pin) from another task"),
                                                        line: wire.line)
                    for f in files.indices { files[f].variables.append(variable) }
                    if let j = files[u].instances.firstIndex(where: { $0.name == instance.name }) {
                        files[u].instances[j].outputs.append(.init(pin: pin, variable: name, line: wire.line))
                    }
                }
            }
        }
        return files
    }
}
