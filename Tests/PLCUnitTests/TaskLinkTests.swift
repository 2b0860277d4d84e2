import Testing
import PLCApp
import PLCCore
import PLCGraph
import PLCRuntime

/// The exchange between the tasks of a split program (`TaskSplit`, `TaskProgram.link`).
@Suite struct TaskLinkTests {
    static let text = """
        program: linked
        tasks:
          - {name: fast, interval: T#10ms, blocks: [pulse]}
          - {name: slow, interval: T#50ms, blocks: [wait]}
        variables:
          - {name: Delay, type: TIME, initial: T#2s}
          - {name: Seen, type: BOOL}
        blocks:
          - name: pulse
            type: TON
            inputs:
              IN: TRUE
              PT: T#20ms
            outputs:
              Q: Seen
          - name: wait
            type: TON
            inputs:
              IN: pulse.Q
              PT: Delay
        """

    func linked() throws -> [TaskProgram] {
        let file = try ProgramLoader.parse(Self.text, path: "linked.yaml", enums: BlockLibrary.all.enumerations)
        let parts = TaskSplit.split(file, library: .all)
        let programs = try parts.map { try ProgramCompiler.compile($0, library: .all) }
        return TaskProgram.link(zip(file.tasks, programs).map { ($0.name, $1) })
    }

    /// Blocks of two tasks assigning one variable: refused with the line of the second assignment
    /// (Codesys's SA0006); two blocks of one task may, the later one wins as in one scan.
    @Test func aVariableIsWrittenByOneTaskOnly() throws {
        let twoTasks = Self.text + "\n    outputs:\n      Q: Seen\n"
        do {
            _ = try ProgramLoader.parse(twoTasks, path: "linked.yaml", enums: BlockLibrary.all.enumerations)
            Issue.record("a variable assigned in two tasks was accepted")
        } catch {
            #expect(error.description == "linked.yaml:22: wait.Q assigns Seen in task slow, and pulse assigns it in task fast: "
                    + "a variable is written by one task only (each task keeps its own copy; Codesys reports this as SA0006)")
        }
        let oneTask = twoTasks.replacingOccurrences(of: "blocks: [wait]", with: "blocks: []")
        #expect(throws: Never.self) { try ProgramLoader.parse(oneTask, path: "linked.yaml", enums: BlockLibrary.all.enumerations) }
    }

    /// A setting no block assigns (an operator writes it online in the first task) reaches the
    /// other tasks at their next scan; a value a block assigns comes from that block's task.
    @Test func unassignedVariablesComeFromTheFirstTask() throws {
        let tasks = try linked()
        let delay = tasks[0].program.variables.index(of: "Delay")!
        tasks[0].program.variableSlots[delay].store(.time(5000))
        tasks[0].writeOutputs()
        tasks[1].readInputs()
        #expect(tasks[1].program.value(of: "Delay") == .time(5000))
        // Seen is assigned by the fast task's block: the slow task takes it, and never sends its own copy back.
        let seen = tasks[0].program.variables.index(of: "Seen")!
        tasks[0].program.variableSlots[seen].store(.bool(true))
        tasks[0].writeOutputs()
        tasks[1].readInputs()
        #expect(tasks[1].program.value(of: "Seen") == .bool(true))
        let slowSeen = tasks[1].program.variables.index(of: "Seen")!
        tasks[1].program.variableSlots[slowSeen].store(.bool(false))
        tasks[1].writeOutputs()
        tasks[0].readInputs()
        #expect(tasks[0].program.value(of: "Seen") == .bool(true))
    }

    /// Before the writing task's first scan, a reader gets the writer's values as they are (its
    /// initial or restored values), never a placeholder.
    @Test func aReaderBeforeTheWritersFirstScanSeesItsInitialValues() throws {
        let tasks = try linked()
        tasks[1].readInputs()
        #expect(tasks[1].program.value(of: "Delay") == .time(2000))
        #expect(tasks[1].program.value(of: TaskSplit.exchangeName("pulse", "Q")) == .bool(false))
    }
}
