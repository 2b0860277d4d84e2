import PLCCore
import PLCGraph

/// The inputs of one instance that a program feeds from its variables, written into the pins
/// before the first scan (the scan copies the same values again): a service owner reads its
/// settings (`sConnection: SqlConnection`) before its services start.
enum ConstantInputs {
    static func apply(to instance: CompiledProgram.Instance, of program: CompiledProgram) {
        guard let declared = program.file.instances.first(where: { $0.name == instance.name }) else { return }
        for wire in declared.inputs where wire.index == nil && !wire.negate {
            guard case .name(let name) = wire.source, let value = program.value(of: name) else { continue }
            try? instance.block.setValue(value, of: wire.pin)
        }
    }
}
