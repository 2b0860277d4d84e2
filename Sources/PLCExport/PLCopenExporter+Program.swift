import PLCCore
import PLCGraph

extension PLCopenExporter {
    static let xhtml = "http://www.w3.org/1999/xhtml"

    /// A program or FBD function block drawn in CFC: its interface (RETAIN and PERSISTENT variables
    /// and instances in `localVars retain="true"` / `persistent="true"`, as Codesys writes
    /// `VAR RETAIN` / `VAR PERSISTENT`), an empty ST body and the chart in the body's `addData`.
    func cfcPOU(_ x: inout XMLWriter, _ network: CFCNetwork) {
        let program = network.program
        x.open("pou", ["name": network.name, "pouType": network.functionBlock == nil ? "program" : "functionBlock"])
        x.open("interface")
        if let definition = network.functionBlock {
            let usesBus = network.busUsers.contains(definition.name.uppercased())
            for (scope, element) in [(VarDecl.Scope.input, "inputVars"), (.output, "outputVars")] {
                let decls = definition.interface.decls(in: scope)
                guard !decls.isEmpty || (scope == .input && usesBus) else { continue }
                x.open(element)
                for d in decls { declared(&x, d) }
                if scope == .input && usesBus {
                    variable(&x, .init(name: "tReplyTimeout", type: "TIME", initial: "T#500MS",
                                       comment: "the bus's response timeout (ST only: a bus setting in Swift)"))
                }
                x.close(element)
            }
            if usesBus {
                x.open("inOutVars")
                variable(&x, .init(name: "rClient", type: "ModbusFB.Client", initial: nil,
                                   comment: "the bus (ST only: the program file's bus in Swift)"))
                x.close("inOutVars")
            }
        }
        let locals = network.variablesIn != nil ? [] : program.variables.decls.filter { $0.scope != .input && $0.scope != .output }
        for retain in [nil] + RetainClass.allCases.map(Optional.some) {
            var lines = XMLWriter(depth: x.depth + 1)
            for d in locals where network.retainClass(of: d.name) == retain { declared(&lines, d) }
            if retain == nil {
                if network.callsScanClock {
                    variable(&lines, .init(name: "fbScanClock", type: "ScanClock", initial: nil, comment: "stamps the scan: GVL_Scan"))
                }
                for bus in network.buses {
                    variable(&lines, .init(name: bus.name, type: Self.clientType(bus), initial: nil,
                                           comment: "bus \(bus.name); set iPort to your controller's COM port"))
                }
            }
            for i in network.order where network.retainClass(of: program.instances[i].name) == retain {
                let instance = program.instances[i]
                guard Swift.type(of: instance.block).stMapping.hasInstance else { continue }
                variable(&lines, .init(name: instance.name, type: instance.interface.name, initial: nil, comment: ""),
                         members: network.arrayLiterals(i))
            }
            if retain == nil {
                for item in network.elementWiredPins() {
                    variable(&lines, .init(name: network.packName(item.instance, item.pin), type: "Pack_\(item.pin.name)",
                                           initial: nil, comment: ""))
                }
            }
            guard !lines.text.isEmpty else { continue }
            let attributes = retain.map { [$0 == .retain ? "retain" : "persistent": "true"] } ?? [:]
            x.open("localVars", attributes)
            x.append(lines)
            x.close("localVars")
        }
        x.close("interface")
        x.open("body")
        x.open("ST")
        x.empty("xhtml", ["xmlns": Self.xhtml])
        x.close("ST")
        x.open("addData")
        x.open("data", ["name": "http://www.3s-software.com/plcopenxml/cfc", "handleUnknown": "implementation"])
        x.open("CFC")
        var chart = CFCChart(network, depth: x.depth)
        chart.write()
        x.append(chart.x)
        x.close("CFC")
        x.close("data")
        x.close("addData")
        x.close("body")
        documentation(&x, network.functionBlock?.written.description ?? program.file.description)
        x.close("pou")
    }

    /// A declared variable with its initial value and comment.
    private func declared(_ x: inout XMLWriter, _ d: VarDecl) {
        x.open("variable", ["name": d.name])
        type(&x, STLiteral.typeName(d.type))
        x.open("initialValue")
        x.empty("simpleValue", ["value": STLiteral.format(d.initial, as: d.type)])
        x.close("initialValue")
        documentation(&x, d.comment)
        x.close("variable")
    }

    /// The task configuration: one cyclic task, `Task_<program>` (Codesys's Standard project
    /// template already has a `MainTask`, and an import must not meet it), calling the program.
    /// With a `tasks:` list: one task per entry, `Task_<name>`, calling the POU of its blocks.
    func tasks(_ x: inout XMLWriter) {
        guard !program.file.tasks.isEmpty else {
            task(&x, name: "Task_\(program.name)", settings: program.file.task, priority: 1, pous: [program.name])
            return
        }
        for entry in program.file.tasks {
            task(&x, name: "Task_\(entry.name)", settings: entry.settings, priority: entry.priority,
                 pous: [Self.taskPOU(program, entry)])
        }
    }

    /// The POU of one task of a `tasks:` list: `<program>_<task>`.
    static func taskPOU(_ program: CompiledProgram, _ entry: ProgramFile.TaskEntry) -> String {
        "\(program.name)_\(entry.name)"
    }

    /// The program as drawn: one POU, or with a `tasks:` list one POU per task holding its blocks
    /// (a block in no task runs in the first, as in the runtime). The first task's POU declares
    /// the program's variables and calls ScanClock; a bus client is called by the POU of the first
    /// block that uses it, so its requests run in its task.
    func programNetworks() -> [CFCNetwork] {
        let tasks = program.file.tasks
        guard !tasks.isEmpty else { return [CFCNetwork(program: program, functionBlock: nil)] }
        var taskOf: [Int: Int] = [:]
        for (i, instance) in program.instances.enumerated() {
            taskOf[i] = tasks.firstIndex { $0.blocks.contains { $0.uppercased() == instance.name.uppercased() } } ?? 0
        }
        var busTask: [String: Int] = [:]
        for i in program.order where Swift.type(of: program.instances[i].block) is any BusClientBlock.Type {
            if let bus = program.instances[i].bus ?? program.file.buses.first?.name, busTask[bus.uppercased()] == nil {
                busTask[bus.uppercased()] = taskOf[i]
            }
        }
        return tasks.enumerated().map { n, entry in
            var network = CFCNetwork(program: program, functionBlock: nil)
            network.name = Self.taskPOU(program, entry)
            network.members = Set(taskOf.filter { $0.value == n }.keys)
            network.buses = program.file.buses.filter { (busTask[$0.name.uppercased()] ?? 0) == n }
            network.callsScanClock = n == 0
            network.variablesIn = n == 0 ? nil : Self.taskPOU(program, tasks[0])
            for (i, t) in taskOf where t != n {
                network.homes[program.instances[i].name.uppercased()] = Self.taskPOU(program, tasks[t])
            }
            for bus in program.file.buses where (busTask[bus.name.uppercased()] ?? 0) != n {
                network.homes[bus.name.uppercased()] = Self.taskPOU(program, tasks[busTask[bus.name.uppercased()] ?? 0])
            }
            return network
        }
    }

    func task(_ x: inout XMLWriter, name: String, settings task: ProgramFile.Task, priority: Int, pous: [String]) {
        x.open("task", ["name": name, "interval": Self.isoDuration(task.interval), "priority": String(priority)])
        for pou in pous {
            x.open("pouInstance", ["name": pou, "typeName": ""])
            x.open("documentation")
            x.empty("xhtml", ["xmlns": Self.xhtml])
            x.close("documentation")
            x.close("pouInstance")
        }
        x.open("addData")
        x.open("data", ["name": "http://www.3s-software.com/plcopenxml/tasksettings", "handleUnknown": "implementation"])
        let settings = ["KindOfTask": "Cyclic", "Interval": "t#\(task.interval)ms", "IntervalUnit": "ms", "WithinSPSTimeSlicing": "true"]
        if task.watchdog > 0 {
            x.open("TaskSettings", settings)
            x.empty("Watchdog", ["Enabled": "true", "Time": "t#\(task.watchdog)ms", "TimeUnit": "ms", "Sensitivity": String(task.sensitivity)])
            x.close("TaskSettings")
        } else {
            x.empty("TaskSettings", settings)
        }
        x.close("data")
        x.close("addData")
        x.close("task")
    }

    /// ModbusRead inputs the runtime takes from the bus when the program leaves them unwired:
    /// slave, function code and the response timeout (`tReplyTimeout`, an ST-only input).
    static func busSettings(_ bus: ProgramFile.Bus, wired: [ProgramFile.Wire]) -> [(pin: String, expression: String)] {
        let pins = Set(wired.map { $0.pin.uppercased() })
        var settings: [(pin: String, expression: String)] = []
        if let slave = bus.value("slave"), !pins.contains("UIUNITID") { settings.append(("uiUnitId", slave)) }
        if let function = bus.value("function"), !pins.contains("USIFUNCTION") { settings.append(("usiFunction", function)) }
        if let timeout = bus.value("responseTimeout"), let value = try? IECLiteral.parse(timeout, as: .time) {
            settings.append(("tReplyTimeout", IECLiteral.format(value, as: .time)))
        }
        return settings
    }

    static func clientType(_ bus: ProgramFile.Bus) -> String {
        bus.value("kind") == "tcp" ? "ModbusFB.ClientTCP" : "ModbusFB.ClientSerial"
    }

    /// The client's connection inputs from the bus settings, as in the ST program. The serial buses
    /// of `buses` (the program's, in file order) get SYS_COMPORT1, SYS_COMPORT2, ... in that order,
    /// so two RS-485 lines never share a port; which port is which stays the engineer's to check.
    static func clientInputs(_ bus: ProgramFile.Bus, among buses: [ProgramFile.Bus]) -> [(pin: String, expression: String)] {
        // ClientSerial reads its settings on a rising xConnect (its help page): dropping xConnect for
        // one cycle after an error reopens a port that came up late or was plugged in again.
        let connect = "NOT \(bus.name).xError"
        guard bus.value("kind") != "tcp" else { return [("xConnect", connect)] }
        let parity = ["E": "SYS_EVENPARITY", "O": "SYS_ODDPARITY", "N": "SYS_NOPARITY"][
            (bus.value("parity") ?? "E").uppercased().prefix(1).description] ?? "SYS_EVENPARITY"
        // SysCom's enumerations, fully qualified: SysCom 3.5.17.0 (LibraryInterface.sysCom).
        let serial = buses.filter { $0.value("kind") != "tcp" }
        let port = min(8, 1 + (serial.firstIndex { $0.name == bus.name } ?? 0))     // SYS_COMPORT8 is the last
        return [("xConnect", connect), ("iPort", "SysCom.SYS_COM_PORTS.SYS_COMPORT\(port)"),
                ("dwBaudrate", "SysCom.SYS_COM_BAUDRATE.SYS_BR_\(bus.value("baud") ?? "19200")"),
                ("byDataBits", bus.value("dataBits") ?? "8"), ("eParity", "SysCom.SYS_COM_PARITY." + parity),
                ("eStopBits", "SysCom.SYS_COM_STOPBITS." + (bus.value("stopBits") == "2" ? "SYS_TWOSTOPBITS" : "SYS_ONESTOPBIT")),
                ("eRtuAscii", "ModbusFB.RtuAscii.RTU")]
    }

}
