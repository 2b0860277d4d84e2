import Foundation
import PLCCore
public import PLCGraph

/// Writes a PLCopen TC6 XML project for Codesys's "Import PLCopenXML": the POUs of st-reference/
/// with their ST bodies, and the program as an FBD body (blocks, connections, execution order),
/// run by a cyclic task at the program's interval.
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
        programPOU(&x)
        x.close("pous")
        x.close("types")
        x.open("instances")
        x.open("configurations")
        x.open("configuration", ["name": "Config"])
        x.open("resource", ["name": "Resource"])
        x.open("task", ["name": "MainTask", "interval": "T#\(program.file.task.interval)ms", "priority": "1"])
        x.empty("pouInstance", ["name": "\(program.name)_instance", "typeName": program.name])
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

    private func variable(_ x: inout XMLWriter, _ v: STSource.Variable) {
        x.open("variable", ["name": v.name])
        type(&x, v.type)
        if let initial = v.initial {
            x.open("initialValue")
            value(&x, initial)
            x.close("initialValue")
        }
        documentation(&x, v.comment)
        x.close("variable")
    }

    /// An ST type as a TC6 type element.
    private func type(_ x: inout XMLWriter, _ text: String) {
        x.open("type")
        typeBody(&x, text.trimmingCharacters(in: .whitespaces))
        x.close("type")
    }

    private func typeBody(_ x: inout XMLWriter, _ text: String) {
        let upper = text.uppercased()
        if upper.hasPrefix("STRING") {
            let length = text.firstIndex(of: "(").map { String(text[text.index(after: $0)...].dropLast()) } ?? "80"
            x.empty("string", ["length": length])
        } else if upper.hasPrefix("ARRAY"), let open = text.firstIndex(of: "["), let close = text.firstIndex(of: "]"),
                  let of = text.range(of: " OF ") {
            let bounds = text[text.index(after: open)..<close].components(separatedBy: "..")
            x.open("array")
            x.empty("dimension", ["lower": bounds[0].trimmingCharacters(in: .whitespaces),
                                  "upper": bounds[1].trimmingCharacters(in: .whitespaces)])
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
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("[") && t.hasSuffix("]") {
            x.open("arrayValue")
            for part in t.dropFirst().dropLast().components(separatedBy: ",") {
                let item = part.trimmingCharacters(in: .whitespaces)
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
        } else if t.hasPrefix("(") && t.hasSuffix(")"), let assign = t.range(of: ":=") {
            x.open("structValue")
            x.open("value", ["member": t[t.index(after: t.startIndex)..<assign.lowerBound].trimmingCharacters(in: .whitespaces)])
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
        for bus in file.buses { variable(&x, .init(name: bus.name, type: "ModbusFB.ClientSerial", initial: nil, comment: "bus \(bus.name)")) }
        for i in program.order {
            let type = Swift.type(of: program.instances[i].block).interface.name
            if STProgramExporter.operators[type] == nil {
                variable(&x, .init(name: program.instances[i].name, type: type, initial: nil, comment: ""))
            }
        }
        x.close("localVars")
        x.close("interface")
        x.open("body")
        x.open("FBD")
        var ids = FBDIds(program: program)
        for (n, i) in program.order.enumerated() { block(&x, i, order: n + 1, ids: &ids) }
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

    private func block(_ x: inout XMLWriter, _ i: Int, order: Int, ids: inout FBDIds) {
        let instance = program.instances[i]
        let interface = Swift.type(of: instance.block).interface
        let decl = program.file.instances[i]
        let (px, py) = (240 + (order - 1) % 5 * 320, 40 + (order - 1) / 5 * 260)
        var attributes = ["localId": String(ids.blockId(i)), "typeName": interface.name, "executionOrderId": String(order)]
        if STProgramExporter.operators[interface.name] == nil { attributes["instanceName"] = instance.name }
        x.open("block", attributes)
        x.empty("position", ["x": String(px), "y": String(py)])
        x.open("inputVariables")
        for wire in decl.inputs {
            guard let pin = interface.decl(wire.pin) else { continue }
            let formal = pin.name + (wire.index.map { "[\($0)]" } ?? "")
            x.open("variable", ["formalParameter": formal, "negated": wire.negate ? "true" : "false"])
            x.open("connectionPointIn")
            switch wire.source {
            case .pin(let source, let sourcePin, let index)
                where program.instances.contains(where: { $0.name.uppercased() == source.uppercased() }):
                let s = program.instances.firstIndex { $0.name.uppercased() == source.uppercased() }!
                let sourceInterface = Swift.type(of: program.instances[s].block).interface
                let out = (sourceInterface.decl(sourcePin)?.name ?? sourcePin) + (index.map { "[\($0)]" } ?? "")
                x.empty("connection", ["refLocalId": String(ids.blockId(s)), "formalParameter": out])
            default:
                let id = ids.variable(expression(wire, pin), near: px, py)
                x.empty("connection", ["refLocalId": String(id)])
            }
            x.close("connectionPointIn")
            x.close("variable")
        }
        x.close("inputVariables")
        // The Modbus client is ModbusRead's VAR_IN_OUT: the program file's bus.
        let file = program.file
        if interface.name == "ModbusRead", let bus = instance.bus ?? file.buses.first?.name {
            x.open("inOutVariables")
            x.open("variable", ["formalParameter": "rClient"])
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
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
