import PLCCore
import PLCGraph

/// A `tasks:` list in Codesys's terms, as a comment block above the exported PROGRAM.
///
/// CODESYS keeps the task configuration in the device tree, one Task object per task (priority
/// 0..31, type Cyclic with an interval, watchdog time and sensitivity, the PROGRAM calls), not in
/// Structured Text; so the export names each task's settings and blocks for the engineer who
/// creates those objects, and the PLCopen export carries them as data.
enum STTaskConfiguration {
    /// The comment block; empty for the one-task form (`task:`).
    static func comment(_ file: ProgramFile) -> String {
        guard !file.tasks.isEmpty else { return "" }
        var out = "(* Task configuration: create one Task object per line under the application's Task Configuration\n"
            + "   (CODESYS keeps tasks in the device tree; Structured Text has no place for them).\n"
        for task in file.tasks {
            let s = task.settings
            let watchdog = s.watchdog > 0 ? "Watchdog T#\(s.watchdog)ms, Sensitivity \(s.sensitivity)" : "Watchdog off"
            out += "     \(task.name): Priority \(task.priority), Type Cyclic, Interval T#\(s.interval)ms, \(watchdog)\n"
                + "       blocks: \(task.blocks.joined(separator: ", "))\n"
        }
        let fastest = file.tasks.min { $0.settings.interval < $1.settings.interval }?.name ?? file.tasks[0].name
        out += "   This PROGRAM calls every block in one scan, in execution order: call it from task \(fastest). To run the\n"
            + "   blocks in their own tasks, move each task's calls into a PROGRAM of its own called by that task; values\n"
            + "   then cross tasks as CODESYS global variables do, without the copy at scan boundaries plc makes. *)\n"
        return out
    }
}
