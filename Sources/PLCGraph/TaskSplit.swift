public import PLCCore

/// Splits a program with a `tasks:` list into one program file per task.
///
/// A wire from a block of another task becomes a program variable (`_x_<instance>_<pin>`): the
/// source task assigns the pin to it, the reading task wires from it, and the exchange copies it
/// between the tasks at scan boundaries (`TaskProgram`). Every task keeps its own copy of every
/// program variable; a variable belongs to the task whose block assigns it.
public enum TaskSplit {
    /// The exchange variable that carries `instance.pin` to other tasks.
    public static func exchangeName(_ instance: String, _ pin: String) -> String { "_x_\(instance)_\(pin)" }

    /// One file per task of `file.tasks`, in their order; `file` itself when it has the one-task form.
    public static func split(_ file: ProgramFile, library: BlockLibrary) -> [ProgramFile] {
        guard !file.tasks.isEmpty else { return [file] }
        let taskOf = Dictionary(file.tasks.enumerated().flatMap { t, entry in entry.blocks.map { ($0.uppercased(), t) } }) { a, _ in a }
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
