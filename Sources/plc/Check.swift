import ArgumentParser
import PLCApp
import PLCCore
import PLCGraph
import PLCStructuredText

/// `plc check`: validate a program and show its variable table and execution order.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a program; print its variable table and execution order.",
        discussion: "On any error, prints every problem as file:line: message and exits 2."
    )

    @OptionGroup var target: ProgramArguments

    func run() throws {
        let loading = ProgramLoading(library: .all)
        let file = try loading.load(target.program, sets: target.sets, settingsFile: target.settings)
        // The same set-up as `plc run`: meters, constant inputs, buses; a setting that would make the
        // logger do nothing fails here, not at run time.
        let setup = try loading.setup(file)
        emit(Self.report(setup.program) + setup.meterSummary + setup.settings.summary)
    }

    /// The text `plc check` prints for a valid program.
    static func report(_ program: CompiledProgram) -> String {
        let file = program.file
        let tasks = file.tasks.isEmpty ? "task every T#\(file.task.interval)ms"
            : "tasks " + file.tasks.map { "\($0.name) every T#\($0.settings.interval)ms (priority \($0.priority))" }.joined(separator: ", ")
        var out = "\(file.path): ok: program \(file.name), \(program.instances.count) blocks, \(tasks)\n"
        if !file.description.isEmpty { out += file.description + "\n" }
        out += "\nVariables\n"
        out += program.variables.decls.isEmpty ? "(none)\n" : program.variables.formatted() + "\n"
        out += "\nExecution order\n"
        let width = program.instances.map(\.name.count).max() ?? 0
        for (n, i) in program.order.enumerated() {
            let instance = program.instances[i]
            let type = instance.interface.name
            out += "\(String(n + 1).leftPadded(3)). \(instance.name.paddingSpaces(toLength: width))  \(type)\n"
        }
        for wire in program.feedbackWires { out += "feedback (value of the previous scan): \(wire)\n" }
        out += RetainSetup.marks(file)
        for fbd in file.functionBlocks?.definitions ?? [] {
            out += "\nFUNCTION_BLOCK \(fbd.name) (FBD, \(fbd.path), flattened: \(fbd.flat.instances.count) blocks)\n\(fbd.interface.formatted())\n"
        }
        // Block types written beside the program (ST function blocks): their tables, as a Swift
        // block's are shown by `plc trace <Type> --describe`.
        var shown: Set<String> = []
        for instance in program.instances where instance.block is STFunctionBlock
            && shown.insert(instance.interface.name.uppercased()).inserted {
            out += "\nFUNCTION_BLOCK \(instance.interface.name) (Structured Text)\n\(instance.interface.formatted())\n"
        }
        return out
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
