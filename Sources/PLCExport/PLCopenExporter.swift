#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore
public import PLCGraph

/// Writes a PLCopen TC6 XML project for Codesys's "Import PLCopenXML": the POUs of st-reference/
/// with their ST bodies, and the program as an FBD body (blocks, connections, execution order),
/// run by a cyclic task at the program's interval.
///
/// The FBD calls `ScanClock` first and connects each bus client (`xConnect := TRUE` with the
/// bus's serial settings), as the ST program does. Codesys's FBD has no pin for one array
/// element and no array literal as an input: element wires go through a generated `Pack_<pin>`
/// block whose `OUT` feeds the whole array pin, and array literals initialise the instance.
/// The configuration has the shape of Codesys's own exports: configuration `Device`, resource
/// `Application`, task `MainTask` with an ISO interval (`PT0.1S`), a `pouInstance` named after the
/// program with an empty `typeName`, and the task settings (kind, interval, watchdog) in `addData`.
///
/// The namespace is Codesys's (`tc6_0200`); the element structure is also valid TC6 2.01.
public struct PLCopenExporter {
    public static let namespace = "http://www.plcopen.org/xml/tc6_0200"

    let program: CompiledProgram
    let sources: [STSource]

    /// `sources` are the st-reference POUs; the program's own ST file is replaced by its FBD body.
    public init(_ program: CompiledProgram, sources: [STSource]) {
        self.program = program
        self.sources = sources.filter { !($0.kind == .program && $0.name == program.name) }
    }

    public func xml() -> String {
        var x = XMLWriter()
        x.line("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
        x.open("project", ["xmlns": Self.namespace])
        x.empty("fileHeader", ["companyName": "PLC runtime", "productName": "plc", "productVersion": "1",
                               "creationDateTime": "2026-01-01T00:00:00"])
        x.open("contentHeader", ["name": program.name, "modificationDateTime": "2026-01-01T00:00:00"])
        x.open("coordinateInfo")
        for language in ["fbd", "ld", "sfc"] {
            x.open(language)
            x.empty("scaling", ["x": "1", "y": "1"])
            x.close(language)
        }
        x.close("coordinateInfo")
        x.close("contentHeader")
        x.open("types")
        x.open("dataTypes")
        for source in sources where source.kind == .dataType { dataType(&x, source) }
        x.close("dataTypes")
        x.open("pous")
        for source in sources where source.kind == .functionBlock || source.kind == .function { pou(&x, source) }
        for pack in packTypes() { pou(&x, pack) }
        programPOU(&x)
        x.close("pous")
        x.close("types")
        x.open("instances")
        x.open("configurations")
        x.open("configuration", ["name": "Device"])
        x.open("resource", ["name": "Application"])
        let task = program.file.task
        x.open("task", ["name": "MainTask", "interval": Self.isoDuration(task.interval), "priority": "1"])
        x.open("pouInstance", ["name": program.name, "typeName": ""])
        x.open("documentation")
        x.empty("xhtml", ["xmlns": "http://www.w3.org/1999/xhtml"])
        x.close("documentation")
        x.close("pouInstance")
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
        for source in sources where source.kind == .globalVars {
            for section in source.sections {
                x.open("globalVars", ["name": "GVL_Scan"])
                for v in section.variables { variable(&x, v) }
                x.close("globalVars")
            }
        }
        x.close("resource")
        x.close("configuration")
        x.close("configurations")
        x.close("instances")
        x.close("project")
        return x.text
    }

    /// A task interval as Codesys writes it: ISO 8601 seconds (`PT0.1S`, `PT0.02S`, `PT1S`).
    static func isoDuration(_ ms: Int64) -> String {
        var fraction = String(ms % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "PT\(ms / 1000)" + (fraction.isEmpty ? "" : ".\(fraction)") + "S"
    }

    /// Array pins that the program wires element by element: (instance, pin) in execution order.
    private func elementWiredPins() -> [(instance: Int, pin: VarDecl)] {
        var result: [(Int, VarDecl)] = []
        for i in program.order {
            let interface = program.instances[i].interface
            var seen = Set<String>()
            for wire in program.file.instances[i].inputs where wire.index != nil {
                guard let pin = interface.decl(wire.pin), case .array = pin.type, seen.insert(pin.name).inserted else { continue }
                result.append((i, pin))
            }
        }
        return result
    }

    /// The generated `Pack_<pin>` blocks: one input per element (with the pin's default) and OUT.
    private func packTypes() -> [STSource] {
        var done = Set<String>()
        return elementWiredPins().compactMap { item in
            guard done.insert(item.pin.name).inserted, case .array(let element, let count) = item.pin.type else { return nil }
            var text = "(* Pack_\(item.pin.name): generated by plc export plcopen. Codesys's FBD has no pin for one array\n"
                + "   element: the program wires the elements here and OUT to the whole array pin \(item.pin.name). *)\n"
                + "FUNCTION_BLOCK Pack_\(item.pin.name)\nVAR_INPUT\n"
            for n in 0..<count {
                let initial = item.pin.initial.element(n) ?? element.defaultValue
                text += "    IN\(n) : \(STLiteral.typeName(element)) := \(STLiteral.format(initial, as: element));\n"
            }
            text += "END_VAR\nVAR_OUTPUT\n    OUT : ARRAY[0..\(count - 1)] OF \(STLiteral.typeName(element));\nEND_VAR\n"
            for n in 0..<count { text += "OUT[\(n)] := IN\(n);\n" }
            return STSource(text + "END_FUNCTION_BLOCK\n")
        }
    }

    /// Literal wires into whole array pins of instance `i`, as member initial values.
    private func arrayLiterals(_ i: Int) -> [(pin: String, value: String)] {
        let interface = program.instances[i].interface
        return program.file.instances[i].inputs.compactMap { wire in
            guard wire.index == nil, let pin = interface.decl(wire.pin), case .array = pin.type else { return nil }
            let text: String
            switch wire.source {
            case .literal(let t), .name(let t): text = t
            case .pin: return nil
            }
            guard program.variables.decl(text) == nil, let value = try? IECLiteral.parse(text, as: pin.type) else { return nil }
            return (pin.name, STLiteral.format(value, as: pin.type))
        }
    }

    // MARK: - Declarations

    private func dataType(_ x: inout XMLWriter, _ source: STSource) {
        x.open("dataType", ["name": source.name])
        x.open("baseType")
        x.open("enum")
        x.open("values")
        for value in source.enumValues { x.empty("value", ["name": value.name, "value": value.value]) }
        x.close("values")
        x.close("enum")
        x.close("baseType")
        documentation(&x, source.documentation)
        x.close("dataType")
    }

    private func pou(_ x: inout XMLWriter, _ source: STSource) {
        x.open("pou", ["name": source.name, "pouType": source.kind == .function ? "function" : "functionBlock"])
        x.open("interface")
        if let returnType = source.returnType {
            x.open("returnType")
            typeBody(&x, returnType)
            x.close("returnType")
        }
        let elements = ["VAR_INPUT": "inputVars", "VAR_OUTPUT": "outputVars", "VAR_IN_OUT": "inOutVars", "VAR": "localVars"]
        for section in source.sections {
            guard let element = elements[section.keyword] else { continue }
            x.open(element)
            for v in section.variables { variable(&x, v) }
            x.close(element)
        }
        x.close("interface")
        x.open("body")
        x.open("ST")
        x.text("xhtml", source.body, ["xmlns": "http://www.w3.org/1999/xhtml"])
        x.close("ST")
        x.close("body")
        documentation(&x, source.documentation)
        x.close("pou")
    }

    private func variable(_ x: inout XMLWriter, _ v: STSource.Variable, members: [(pin: String, value: String)] = []) {
        x.open("variable", ["name": v.name])
        type(&x, v.type)
        if let initial = v.initial {
            x.open("initialValue")
            value(&x, initial)
            x.close("initialValue")
        } else if !members.isEmpty {
            x.open("initialValue")
            x.open("structValue")
            for member in members {
                x.open("value", ["member": member.pin])
                value(&x, member.value)
                x.close("value")
            }
            x.close("structValue")
            x.close("initialValue")
        }
        documentation(&x, v.comment)
        x.close("variable")
    }

    /// An ST type as a TC6 type element.
    private func type(_ x: inout XMLWriter, _ text: String) {
        x.open("type")
        typeBody(&x, text.trimmingSpaces())
        x.close("type")
    }

    private func typeBody(_ x: inout XMLWriter, _ text: String) {
        let upper = text.uppercased()
        if upper.hasPrefix("STRING") {
            let length = text.firstIndex(of: "(").map { String(text[text.index(after: $0)...].dropLast()) } ?? "80"
            x.empty("string", ["length": length])
        } else if upper.hasPrefix("ARRAY"), let open = text.firstIndex(of: "["), let close = text.firstIndex(of: "]"),
                  let of = text.firstRange(of: " OF ") {
            let bounds = text[text.index(after: open)..<close].components(separatedBy: "..")
            x.open("array")
            x.empty("dimension", ["lower": bounds[0].trimmingSpaces(),
                                  "upper": bounds[1].trimmingSpaces()])
            x.open("baseType")
            typeBody(&x, String(text[of.upperBound...]))
            x.close("baseType")
            x.close("array")
        } else if upper.hasPrefix("POINTER TO ") {
            x.open("pointer")
            x.open("baseType")
            typeBody(&x, String(text.dropFirst(11)))
            x.close("baseType")
            x.close("pointer")
        } else if IECType.elementary[upper] != nil || ["ULINT", "LWORD", "DT", "DATE", "TOD", "LTIME"].contains(upper) {
            x.empty(upper)
        } else {
            x.empty("derived", ["name": text])
        }
    }

    /// An ST initial value: simple, array (with repetitions) or an FB instance's member values.
    private func value(_ x: inout XMLWriter, _ text: String) {
        let t = text.trimmingSpaces()
        if t.hasPrefix("[") && t.hasSuffix("]") {
            x.open("arrayValue")
            for part in t.dropFirst().dropLast().components(separatedBy: ",") {
                let item = part.trimmingSpaces()
                if let open = item.firstIndex(of: "("), item.hasSuffix(")"), let n = Int(item[..<open]) {
                    x.open("value", ["repetitionValue": String(n)])
                    x.empty("simpleValue", ["value": String(item[item.index(after: open)..<item.index(before: item.endIndex)])])
                } else {
                    x.open("value")
                    x.empty("simpleValue", ["value": item])
                }
                x.close("value")
            }
            x.close("arrayValue")
        } else if t.hasPrefix("(") && t.hasSuffix(")"), let assign = t.firstRange(of: ":=") {
            x.open("structValue")
            x.open("value", ["member": t[t.index(after: t.startIndex)..<assign.lowerBound].trimmingSpaces()])
            value(&x, String(t[assign.upperBound..<t.index(before: t.endIndex)]))
            x.close("value")
            x.close("structValue")
        } else {
            x.empty("simpleValue", ["value": t])
        }
    }

    private func documentation(_ x: inout XMLWriter, _ text: String) {
        guard !text.isEmpty else { return }
        x.open("documentation")
        x.text("xhtml", text, ["xmlns": "http://www.w3.org/1999/xhtml"])
        x.close("documentation")
    }

    // MARK: - The program as FBD

    private func programPOU(_ x: inout XMLWriter) {
        let file = program.file
        x.open("pou", ["name": program.name, "pouType": "program"])
        x.open("interface")
        x.open("localVars")
        for d in program.variables.decls {
            x.open("variable", ["name": d.name])
            type(&x, STLiteral.typeName(d.type))
            x.open("initialValue")
            x.empty("simpleValue", ["value": STLiteral.format(d.initial, as: d.type)])
            x.close("initialValue")
            documentation(&x, d.comment)
            x.close("variable")
        }
        variable(&x, .init(name: "fbScanClock", type: "ScanClock", initial: nil, comment: "stamps the scan: GVL_Scan"))
        for bus in file.buses {
            variable(&x, .init(name: bus.name, type: Self.clientType(bus), initial: nil,
                               comment: "bus \(bus.name); set iPort to your controller's COM port"))
        }
        for i in program.order {
            let type = program.instances[i].interface.name
            if Swift.type(of: program.instances[i].block).stMapping.hasInstance {
                variable(&x, .init(name: program.instances[i].name, type: type, initial: nil, comment: ""),
                         members: arrayLiterals(i))
            }
        }
        for item in elementWiredPins() {
            variable(&x, .init(name: Self.packName(item.instance, item.pin, program), type: "Pack_\(item.pin.name)", initial: nil, comment: ""))
        }
        x.close("localVars")
        x.close("interface")
        x.open("body")
        x.open("FBD")
        var ids = FBDIds(program: program)
        var order = 0
        ids.next += 1
        order += 1
        libraryBlock(&x, id: ids.next, type: "ScanClock", instance: "fbScanClock", order: order, inputs: [], outputs: ["tNow"], ids: &ids)
        for bus in file.buses {
            ids.next += 1
            order += 1
            libraryBlock(&x, id: ids.next, type: Self.clientType(bus), instance: bus.name, order: order,
                         inputs: Self.clientInputs(bus), outputs: ["xConnected", "xError", "eErrorID"], ids: &ids)
        }
        let packs = elementWiredPins()
        for i in program.order {
            var packIds: [String: Int] = [:]
            for item in packs where item.instance == i {
                ids.next += 1
                order += 1
                packIds[item.pin.name] = ids.next
                packBlock(&x, id: ids.next, i, item.pin, order: order, ids: &ids)
            }
            order += 1
            block(&x, i, order: order, packs: packIds, ids: &ids)
        }
        for item in ids.pendingVariables { inVariable(&x, item) }
        x.close("FBD")
        x.close("body")
        documentation(&x, file.description)
        x.close("pou")
    }

    /// Local ids: blocks first (1...n in instance order), then variables and literals as needed.
    struct FBDIds {
        let program: CompiledProgram
        var next: Int
        var pendingVariables: [(id: Int, expression: String, x: Int, y: Int)] = []

        init(program: CompiledProgram) {
            self.program = program
            next = program.instances.count + 1
        }

        func blockId(_ instance: Int) -> Int { instance + 1 }

        mutating func variable(_ expression: String, near x: Int, _ y: Int) -> Int {
            next += 1
            pendingVariables.append((next, expression, x - 160, y))
            return next
        }
    }

    private func block(_ x: inout XMLWriter, _ i: Int, order: Int, packs: [String: Int], ids: inout FBDIds) {
        let instance = program.instances[i]
        let interface = instance.interface
        let decl = program.file.instances[i]
        let (px, py) = (240 + (order - 1) % 5 * 320, 40 + (order - 1) / 5 * 260)
        var attributes = ["localId": String(ids.blockId(i)), "typeName": interface.name, "executionOrderId": String(order)]
        if Swift.type(of: instance.block).stMapping.hasInstance { attributes["instanceName"] = instance.name }
        x.open("block", attributes)
        x.empty("position", ["x": String(px), "y": String(py)])
        x.open("inputVariables")
        for (pinName, packId) in packs.sorted(by: { $0.key < $1.key }) {
            x.open("variable", ["formalParameter": pinName])
            x.open("connectionPointIn")
            x.empty("connection", ["refLocalId": String(packId), "formalParameter": "OUT"])
            x.close("connectionPointIn")
            x.close("variable")
        }
        let literals = Set(arrayLiterals(i).map(\.pin))
        for wire in decl.inputs {
            guard let pin = interface.decl(wire.pin), wire.index == nil, !literals.contains(pin.name) else { continue }
            x.open("variable", ["formalParameter": pin.name, "negated": wire.negate ? "true" : "false"])
            x.open("connectionPointIn")
            connection(&x, wire, pin, px, py, ids: &ids)
            x.close("connectionPointIn")
            x.close("variable")
        }
        // Bus-level settings the runtime applies to unwired Modbus pins, as the ST program passes them.
        let client = Swift.type(of: instance.block) as? any BusClientBlock.Type
        if client?.stTakesBusSettings == true, let bus = program.file.buses.first(where: { $0.name == (instance.bus ?? program.file.buses.first?.name) }) {
            for (pin, text) in Self.busSettings(bus, wired: decl.inputs) {
                x.open("variable", ["formalParameter": pin])
                x.open("connectionPointIn")
                x.empty("connection", ["refLocalId": String(ids.variable(text, near: px, py))])
                x.close("connectionPointIn")
                x.close("variable")
            }
        }
        x.close("inputVariables")
        // The Modbus client is a bus client's VAR_IN_OUT: the program file's bus.
        let file = program.file
        if let client, client.stTakesBusSettings, let bus = instance.bus ?? file.buses.first?.name {
            x.open("inOutVariables")
            x.open("variable", ["formalParameter": client.stBusParameter])
            x.open("connectionPointIn")
            x.empty("connection", ["refLocalId": String(ids.variable(bus, near: px, py + 120))])
            x.close("connectionPointIn")
            x.empty("connectionPointOut")
            x.close("variable")
            x.close("inOutVariables")
        } else {
            x.empty("inOutVariables")
        }
        x.open("outputVariables")
        for pin in interface.decls(in: .output) {
            x.open("variable", ["formalParameter": pin.name])
            x.empty("connectionPointOut")
            x.close("variable")
        }
        x.close("outputVariables")
        x.close("block")
        for assignment in decl.outputs {
            let pin = interface.decl(assignment.pin)?.name ?? assignment.pin
            ids.next += 1
            x.open("outVariable", ["localId": String(ids.next)])
            x.empty("position", ["x": String(px + 200), "y": String(py)])
            x.open("connectionPointIn")
            x.empty("connection", ["refLocalId": String(ids.blockId(i)), "formalParameter": pin])
            x.close("connectionPointIn")
            x.text("expression", program.variables.decl(assignment.variable)?.name ?? assignment.variable)
            x.close("outVariable")
        }
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

    /// The client's connection inputs from the bus settings, as in the ST program.
    static func clientInputs(_ bus: ProgramFile.Bus) -> [(pin: String, expression: String)] {
        // ClientSerial reads its settings on a rising xConnect (its help page): dropping xConnect for
        // one cycle after an error reopens a port that came up late or was plugged in again.
        let connect = "NOT \(bus.name).xError"
        guard bus.value("kind") != "tcp" else { return [("xConnect", connect)] }
        let parity = ["E": "SYS_EVENPARITY", "O": "SYS_ODDPARITY", "N": "SYS_NOPARITY"][
            (bus.value("parity") ?? "E").uppercased().prefix(1).description] ?? "SYS_EVENPARITY"
        // SysCom's enumerations, fully qualified: SysCom 3.5.17.0 (LibraryInterface.sysCom).
        return [("xConnect", connect), ("iPort", "SysCom.SYS_COM_PORTS.SYS_COMPORT1"),
                ("dwBaudrate", "SysCom.SYS_COM_BAUDRATE.SYS_BR_\(bus.value("baud") ?? "19200")"),
                ("byDataBits", bus.value("dataBits") ?? "8"), ("eParity", "SysCom.SYS_COM_PARITY." + parity),
                ("eStopBits", "SysCom.SYS_COM_STOPBITS." + (bus.value("stopBits") == "2" ? "SYS_TWOSTOPBITS" : "SYS_ONESTOPBIT")),
                ("eRtuAscii", "ModbusFB.RtuAscii.RTU")]
    }

    static func packName(_ i: Int, _ pin: VarDecl, _ program: CompiledProgram) -> String {
        "pack_\(program.instances[i].name)_\(pin.name)"
    }

    /// A block that is not a program instance: ScanClock, a bus client; inputs are literals.
    private func libraryBlock(_ x: inout XMLWriter, id: Int, type: String, instance: String, order: Int,
                              inputs: [(pin: String, expression: String)], outputs: [String], ids: inout FBDIds) {
        let (px, py) = (40, 40 + (order - 1) * 60)
        x.open("block", ["localId": String(id), "typeName": type, "instanceName": instance, "executionOrderId": String(order)])
        x.empty("position", ["x": String(px), "y": String(py)])
        x.open("inputVariables")
        for input in inputs {
            x.open("variable", ["formalParameter": input.pin])
            x.open("connectionPointIn")
            x.empty("connection", ["refLocalId": String(ids.variable(input.expression, near: px, py))])
            x.close("connectionPointIn")
            x.close("variable")
        }
        x.close("inputVariables")
        x.empty("inOutVariables")
        x.open("outputVariables")
        for output in outputs {
            x.open("variable", ["formalParameter": output])
            x.empty("connectionPointOut")
            x.close("variable")
        }
        x.close("outputVariables")
        x.close("block")
    }

    /// The Pack block that gathers the element wires of array pin `pin` of instance `i`.
    private func packBlock(_ x: inout XMLWriter, id: Int, _ i: Int, _ pin: VarDecl, order: Int, ids: inout FBDIds) {
        guard case .array(let element, _) = pin.type else { return }
        let (px, py) = (240 + (order - 1) % 5 * 320, 40 + (order - 1) / 5 * 260)
        x.open("block", ["localId": String(id), "typeName": "Pack_\(pin.name)", "instanceName": Self.packName(i, pin, program),
                         "executionOrderId": String(order)])
        x.empty("position", ["x": String(px), "y": String(py)])
        x.open("inputVariables")
        for wire in program.file.instances[i].inputs where wire.index != nil && interfaceName(i, wire.pin) == pin.name {
            x.open("variable", ["formalParameter": "IN\(wire.index!)", "negated": wire.negate ? "true" : "false"])
            x.open("connectionPointIn")
            connection(&x, wire, VarDecl.input(pin.name, element, nil, ""), px, py, ids: &ids)
            x.close("connectionPointIn")
            x.close("variable")
        }
        x.close("inputVariables")
        x.empty("inOutVariables")
        x.open("outputVariables")
        x.open("variable", ["formalParameter": "OUT"])
        x.empty("connectionPointOut")
        x.close("variable")
        x.close("outputVariables")
        x.close("block")
    }

    private func interfaceName(_ i: Int, _ pin: String) -> String? {
        program.instances[i].interface.decl(pin)?.name
    }

    /// The connection of one wire: to a block's output, or to an inVariable (variable or literal).
    private func connection(_ x: inout XMLWriter, _ wire: ProgramFile.Wire, _ pin: VarDecl, _ px: Int, _ py: Int, ids: inout FBDIds) {
        switch wire.source {
        case .pin(let source, let sourcePin, let index)
            where program.instances.contains(where: { $0.name.uppercased() == source.uppercased() }):
            let s = program.instances.firstIndex { $0.name.uppercased() == source.uppercased() }!
            let sourceInterface = program.instances[s].interface
            let out = sourceInterface.decl(sourcePin)?.name ?? sourcePin
            if let index {
                // No pin for one element of an output array either: read it by name.
                x.empty("connection", ["refLocalId": String(ids.variable("\(program.instances[s].name).\(out)[\(index)]", near: px, py))])
            } else {
                x.empty("connection", ["refLocalId": String(ids.blockId(s)), "formalParameter": out])
            }
        default:
            x.empty("connection", ["refLocalId": String(ids.variable(expression(wire, pin), near: px, py))])
        }
    }

    /// The text of a wire that does not come from a block: a variable or a literal.
    private func expression(_ wire: ProgramFile.Wire, _ pin: VarDecl) -> String {
        let text: String
        switch wire.source {
        case .name(let name): text = name
        case .literal(let t): text = t
        case .pin(let i, let p, let index): text = "\(i).\(p)" + (index.map { "[\($0)]" } ?? "")
        }
        if program.variables.decl(text) != nil { return program.variables.decl(text)!.name }
        var type = pin.type
        if wire.index != nil, case .array(let element, _) = pin.type { type = element }
        return (try? IECLiteral.parse(text, as: type)).map { STLiteral.format($0, as: type) } ?? text
    }

    private func inVariable(_ x: inout XMLWriter, _ item: (id: Int, expression: String, x: Int, y: Int)) {
        x.open("inVariable", ["localId": String(item.id)])
        x.empty("position", ["x": String(item.x), "y": String(item.y)])
        x.empty("connectionPointOut")
        x.text("expression", item.expression)
        x.close("inVariable")
    }
}

/// A small indenting XML writer with escaping.
struct XMLWriter {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ s: String) { text += String(repeating: "  ", count: depth) + s + "\n" }

    mutating func open(_ name: String, _ attributes: [String: String] = [:]) {
        line("<\(name)\(Self.attributes(attributes))>")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        line("</\(name)>")
    }

    mutating func empty(_ name: String, _ attributes: [String: String] = [:]) {
        line("<\(name)\(Self.attributes(attributes))/>")
    }

    mutating func text(_ name: String, _ content: String, _ attributes: [String: String] = [:]) {
        line("<\(name)\(Self.attributes(attributes))>\(Self.escape(content))</\(name)>")
    }

    static func attributes(_ a: [String: String]) -> String {
        a.keys.sorted().map { " \($0)=\"\(escape($0 == "xmlns" ? a[$0]! : a[$0]!))\"" }.joined()
    }

    static func escape(_ s: String) -> String {
        s.replacingEvery("&", with: "&amp;").replacingEvery("<", with: "&lt;")
            .replacingEvery(">", with: "&gt;").replacingEvery("\"", with: "&quot;")
    }
}
