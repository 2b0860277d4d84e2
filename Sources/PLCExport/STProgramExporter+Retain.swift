import PLCCore
import PLCGraph

extension STProgramExporter {
    /// `retain: true` / `persistent: true` of a program variable or block instance named `name`.
    func retainClass(of name: String) -> RetainClass? {
        let upper = name.uppercased()
        return file.variables.first { $0.decl.name.uppercased() == upper }?.retain
            ?? file.instances.first { $0.name.uppercased() == upper }?.retain
    }

    /// The `VAR RETAIN` or `VAR PERSISTENT` section of the exported PROGRAM (empty when nothing is);
    /// a retained block instance keeps all its variables there, as in Codesys.
    func retainSection(_ retain: RetainClass) -> String {
        var lines: [String] = []
        for d in program.variables.decls(in: .local) where retainClass(of: d.name) == retain {
            lines.append("    " + declaration(d.name, d.type, d.initial, d.comment))
        }
        for i in program.order where retainClass(of: program.instances[i].name) == retain {
            let instance = program.instances[i]
            lines.append("    \(instance.name) : \(instance.interface.name)\(arrayInitializers(i));")
        }
        guard !lines.isEmpty else { return "" }
        return "VAR \(retain.rawValue)\n" + lines.joined(separator: "\n") + "\nEND_VAR\n"
    }
}
