import PLCApp
import PLCGraph
import PLCModbus

/// `--simulate` for the runs that assemble their own buses (`--twin`, `tasks:`): one simulator per
/// bus of `file`, each bus pointed at its own; none without `simulate`. The caller stops them.
func startSimulators(_ simulate: Bool, _ file: inout ProgramFile, note: (String) -> Void) throws -> [ModbusSimulator] {
    guard simulate else { return [] }
    do {
        return try SimulatedBus.start(&file, note: note)
    } catch {
        throw fail(error)
    }
}
