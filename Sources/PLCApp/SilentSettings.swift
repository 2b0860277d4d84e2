public import PLCCore
public import PLCGraph

/// Settings that would make a program do nothing without saying so (`LogInterval=T#0s`: no row,
/// ever), rejected before the program runs, by `plc check` and `plc run`.
public enum SilentSettings {
    /// Every constant input (a literal or a program variable) that its block type's own
    /// `ConstantInputChecks` rejects.
    public static func check(_ file: ProgramFile, _ program: CompiledProgram) -> [SourceError] {
        var errors: [SourceError] = []
        let types = Dictionary(program.instances.map { ($0.name, type(of: $0.block)) }, uniquingKeysWith: { a, _ in a })
        for instance in file.instances {
            guard let checks = types[instance.name] as? any ConstantInputChecks.Type else { continue }
            for wire in instance.inputs {
                let value: IECValue?
                let what: String
                switch wire.source {
                case .name(let name):
                    value = program.value(of: name)
                    what = name
                case .literal(let text):
                    let pin = checks.interface.decl(wire.pin)
                    value = pin.flatMap { try? IECLiteral.parse(text, as: $0.type) }
                    what = text
                case .pin:
                    continue                        // computed at run time
                }
                guard let value, let problem = checks.problem(pin: wire.pin, constant: value) else { continue }
                errors.append(SourceError(file: file.path, line: wire.line, "\(instance.name).\(wire.pin): \(what) \(problem)"))
            }
        }
        return errors
    }
}
