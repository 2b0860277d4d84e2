import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// A parsed `plc export plcopen` file, with the lookups the CFC tests need.
struct PLCopenDocument {
    let root: XMLElement

    init(_ text: String) throws {
        root = try XMLDocument(xmlString: text, options: []).rootElement()!
    }

    /// Child elements of `element` named `name`, in order.
    static func children(_ element: XMLElement, _ name: String? = nil) -> [XMLElement] {
        (element.children ?? []).compactMap { $0 as? XMLElement }.filter { name == nil || $0.tag == name }
    }

    /// Descendants named `name`, in document order.
    static func descendants(_ element: XMLElement, _ name: String) -> [XMLElement] {
        var found: [XMLElement] = []
        for child in children(element) {
            if child.tag == name { found.append(child) }
            found += descendants(child, name)
        }
        return found
    }

    static func attribute(_ element: XMLElement, _ name: String) -> String? {
        // FoundationXML's attribute(forName:) misses attributes under a default namespace.
        (element.attributes ?? []).first { $0.name == name || $0.localName == name }?.stringValue
    }

    /// The POU named `name` (in `types/pous`).
    func pou(_ name: String) -> XMLElement? {
        Self.descendants(root, "pou").first { Self.attribute($0, "name") == name }
    }

    /// The chart of the POU named `name`.
    func chart(of name: String) -> XMLElement? { pou(name).flatMap(Self.chart) }

    /// The `<CFC>` chart of a POU: body / addData / data(cfc) / CFC.
    static func chart(_ pou: XMLElement) -> XMLElement? {
        guard let body = children(pou, "body").first, let addData = children(body, "addData").first else { return nil }
        return children(addData, "data").first { attribute($0, "name") == "http://www.3s-software.com/plcopenxml/cfc" }
            .flatMap { children($0, "CFC").first }
    }

    /// The chart's elements by localId.
    static func byId(_ chart: XMLElement) -> [String: XMLElement] {
        var map: [String: XMLElement] = [:]
        for element in children(chart) { if let id = attribute(element, "localId") { map[id] = element } }
        return map
    }

    /// Where a block's input `pin` comes from, through its connector: (the source element, the
    /// connector's formalParameter, negated).
    static func source(of pin: String, in block: XMLElement, _ ids: [String: XMLElement])
        -> (element: XMLElement, pin: String, negated: Bool)? {
        let inputs = children(block, "inputVariables").first.map { children($0, "variable") } ?? []
        guard let variable = inputs.first(where: { attribute($0, "formalParameter") == pin }),
              let point = children(variable, "connectionPointIn").first,
              let ref = children(point, "connection").first.flatMap({ attribute($0, "refLocalId") }),
              let connector = ids[ref], connector.tag == "connector",
              let connection = descendants(connector, "connection").first,
              let target = attribute(connection, "refLocalId").flatMap({ ids[$0] }) else { return nil }
        return (target, attribute(connection, "formalParameter") ?? "", attribute(variable, "negated") == "true")
    }

    /// The expression of an inVariable.
    static func expression(_ element: XMLElement) -> String? {
        children(element, "expression").first?.stringValue
    }
}

/// The program and its FBD function blocks in Codesys's CFC form, checked against the shape of a
/// public Codesys export (Tests/fixtures/plcopen/codesys-cfc-shape.txt, facts written down from it).
@Suite("PLCopen export in Codesys's CFC form")
struct PLCopenCFCShapeTests {
    static let shape = "Tests/fixtures/plcopen/codesys-cfc-shape.txt"

    /// The shape facts: kind -> (element path, values).
    static func facts() throws -> [(kind: String, path: String, values: [String])] {
        let text = try String(contentsOf: PLCCommand.root.appendingPathComponent(shape), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), !line.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            let parts = line.split(separator: " ").map(String.init)
            if let colon = parts.firstIndex(of: ":") {
                return (parts[0], parts[1], Array(parts[(colon + 1)...]))
            }
            return (parts[0], parts.count > 1 ? parts[1] : "", Array(parts.dropFirst(2)))
        }
    }

    /// Elements at `path` (`block`, `block/inputVariables/variable/connectionPointIn`) under `chart`.
    static func elements(_ path: String, in chart: XMLElement) -> [XMLElement] {
        let steps = path.split(separator: "/").map(String.init)
        var current = PLCopenDocument.children(chart, steps[0])
        for step in steps.dropFirst() { current = current.flatMap { PLCopenDocument.children($0, step) } }
        return current
    }

    /// Every fact of the public export's shape holds for `chart` and its POU; returns the problems.
    static func check(_ pou: XMLElement, _ facts: [(kind: String, path: String, values: [String])]) -> [String] {
        let name = PLCopenDocument.attribute(pou, "name") ?? "?"
        guard let chart = PLCopenDocument.chart(pou) else { return ["\(name): no CFC chart in the body's addData"] }
        var problems: [String] = []
        let ids = PLCopenDocument.byId(chart)
        for fact in facts {
            switch fact.kind {
            case "data" where fact.path == "cfc" || fact.path == "calltype":
                if PLCopenDocument.descendants(pou, "data").allSatisfy({ PLCopenDocument.attribute($0, "name") != fact.values[0] }) {
                    problems.append("\(name): no addData named \(fact.values[0])")
                }
            case "children":
                // A network without outputs has no outVariable: only the body must be there.
                let elements = fact.path == "body" ? PLCopenDocument.children(pou, "body") : Self.elements(fact.path, in: chart)
                if elements.isEmpty && fact.path == "body" { problems.append("no body") }
                for element in elements {
                    let names = PLCopenDocument.children(element).map { $0.tag }
                    // In this order; a child may be left out, nothing else may appear.
                    var rest = fact.values[...]
                    for child in names {
                        guard let at = rest.firstIndex(of: child) else {
                            problems.append("\(name): \(fact.path) has \(names), not in the order \(fact.values)")
                            break
                        }
                        rest = rest[(at + 1)...]
                    }
                }
            case "elements":
                for element in PLCopenDocument.children(chart) where !fact.values.contains(element.tag) {
                    problems.append("\(name): \(element.tag) in CFC")
                }
            case "attributes":
                for element in Self.elements(fact.path, in: chart) {
                    for attribute in fact.values where PLCopenDocument.attribute(element, attribute) == nil {
                        problems.append("\(name): a \(fact.path) without \(attribute)")
                    }
                }
            case "rule":
                problems += rule(fact.path, pou: pou, chart: chart, ids: ids, facts: facts)
            default:
                break
            }
        }
        return problems.map { "\(name): \($0)" }
    }

    static func rule(_ rule: String, pou: XMLElement, chart: XMLElement, ids: [String: XMLElement],
                     facts: [(kind: String, path: String, values: [String])]) -> [String] {
        var problems: [String] = []
        switch rule {
        case "empty-st-body":
            let st = PLCopenDocument.children(pou, "body").first.flatMap { PLCopenDocument.children($0, "ST").first }
            let xhtml = st.map { PLCopenDocument.children($0) } ?? []
            if xhtml.count != 1 || xhtml[0].tag != "xhtml" || !(xhtml[0].stringValue ?? "").isEmpty {
                problems.append("the ST body is not one empty xhtml")
            }
        case "execution-order":
            let ordered = PLCopenDocument.children(chart).filter { $0.tag == "block" || $0.tag == "outVariable" }
            let orders = ordered.compactMap { PLCopenDocument.attribute($0, "executionOrderId").flatMap(Int.init) }
            if orders.count != ordered.count { problems.append("a box or output without executionOrderId") }
            if Set(orders).count != orders.count { problems.append("two boxes share an executionOrderId") }
            if orders.min() != 1 { problems.append("execution order starts at \(orders.min() ?? -1), not 1") }
        case "calltype-per-block":
            let values = Set(facts.filter { $0.kind == "calltype" }.map(\.path))
            for block in PLCopenDocument.children(chart, "block") {
                let data = PLCopenDocument.descendants(block, "data").first {
                    PLCopenDocument.attribute($0, "name") == "http://www.3s-software.com/plcopenxml/cfccalltype"
                }
                guard let callType = data.flatMap({ PLCopenDocument.children($0, "CallType").first }) else {
                    problems.append("block \(PLCopenDocument.attribute(block, "typeName") ?? "") without a call type")
                    continue
                }
                if callType.uri != nil && callType.uri != "" { problems.append("CallType in namespace \(callType.uri!)") }
                // `function` is ours for CONCAT: the public exports call no function.
                if !values.contains(callType.stringValue ?? "") && callType.stringValue != "function" {
                    problems.append("call type \(callType.stringValue ?? "")")
                }
                let instance = PLCopenDocument.attribute(block, "instanceName") != nil
                if instance != (callType.stringValue == "functionblock") {
                    problems.append("\(PLCopenDocument.attribute(block, "typeName") ?? ""): instanceName and call type \(callType.stringValue ?? "") disagree")
                }
            }
        case "wires-through-connectors":
            for point in PLCopenDocument.descendants(chart, "connectionPointIn") {
                guard let ref = PLCopenDocument.children(point, "connection").first.flatMap({ PLCopenDocument.attribute($0, "refLocalId") }),
                      let target = ids[ref] else {
                    problems.append("a connection to no element")
                    continue
                }
                let inConnector = (point.parent as? XMLElement)?.tag == "connector"
                if !inConnector && target.tag != "connector" { problems.append("an input wired straight to \(target.tag)") }
                if inConnector && target.tag == "connector" { problems.append("a connector fed by a connector") }
            }
            for connector in PLCopenDocument.children(chart, "connector") {
                let position = PLCopenDocument.children(connector, "position").first
                if PLCopenDocument.attribute(connector, "name") != "" || position.flatMap({ PLCopenDocument.attribute($0, "x") }) != "0" {
                    problems.append("a connector not named \"\" at 0,0")
                }
                guard let connection = PLCopenDocument.descendants(connector, "connection").first,
                      let pin = PLCopenDocument.attribute(connection, "formalParameter"),
                      let target = PLCopenDocument.attribute(connection, "refLocalId").flatMap({ ids[$0] }) else {
                    problems.append("a connector without a source pin")
                    continue
                }
                if target.tag == "inVariable" && pin != PLCopenDocument.expression(target) {
                    problems.append("a connector from an input box names \(pin), not its expression")
                }
                if target.tag == "block" {
                    let noInstance = PLCopenDocument.attribute(target, "instanceName") == nil
                    let outputs = PLCopenDocument.descendants(target, "outputVariables").flatMap { PLCopenDocument.children($0, "variable") }
                        .compactMap { PLCopenDocument.attribute($0, "formalParameter") }
                    if noInstance ? pin != "" : !outputs.contains(pin) { problems.append("a connector names \(pin) of \(PLCopenDocument.attribute(target, "typeName") ?? "")") }
                }
            }
        case "invariable-expression":
            for input in PLCopenDocument.children(chart, "inVariable") {
                let point = PLCopenDocument.children(input, "connectionPointOut").first
                let inner = point.map { PLCopenDocument.children($0, "expression") } ?? []
                if inner.count != 1 || !(inner[0].stringValue ?? "").isEmpty || (PLCopenDocument.expression(input) ?? "").isEmpty {
                    problems.append("an inVariable without its two expressions")
                }
            }
        default:
            problems.append("unknown rule \(rule)")
        }
        return problems
    }

    @Test("site_main and its Location FB have the shape of Codesys's own CFC export, fact by fact")
    func siteMainHasCodesysShape() throws {
        let result = try PLCCommand.run(["export", "plcopen", "programs/site_main"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try PLCopenDocument(result.stdout)
        let facts = try Self.facts()
        #expect(facts.count >= 20, "the shape file was read")
        for name in ["site_main", "Location"] {
            let pou = try #require(document.pou(name), "\(name)")
            let problems = Self.check(pou, facts)
            #expect(problems.isEmpty, "\(problems.prefix(10))")
        }
    }

    @Test("rx380_main has the shape of Codesys's own CFC export")
    func rx380HasCodesysShape() throws {
        let document = try PLCopenDocument(try PLCCommand.run(["export", "plcopen", "programs/rx380_main"]).stdout)
        let problems = Self.check(try #require(document.pou("rx380_main")), try Self.facts())
        #expect(problems.isEmpty, "\(problems.prefix(10))")
    }

    /// The checks must fail on a chart that lost what Codesys needs: each mutation is caught.
    @Test("the shape check catches a missing executionOrderId, call type, connector or ST body",
          arguments: [
              ("executionOrderId=\"3\" ", "", "executionOrderId"),
              ("<CallType xmlns=\"\">functionblock</CallType>", "", "call type"),
              ("<connector localId=", "<junction localId=", "in CFC"),
              ("<ST>\n", "<ST>\n<xhtml xmlns=\"http://www.w3.org/1999/xhtml\">x := 1;</xhtml>\n", "ST body"),
          ])
    func shapeCheckFails(_ mutation: (from: String, to: String, problem: String)) throws {
        let xml = try PLCCommand.run(["export", "plcopen", "programs/rx380_main"]).stdout
        let program = try #require(xml.range(of: "<pou name=\"rx380_main\""))
        // Mutate the program's POU only, once.
        var text = xml
        let at = try #require(text.range(of: mutation.from, range: program.lowerBound..<text.endIndex))
        text.replaceSubrange(at, with: mutation.to)
        // A renamed element keeps the file well-formed.
        if mutation.to.hasPrefix("<junction"), let end = text.range(of: "</connector>", range: at.lowerBound..<text.endIndex) {
            text.replaceSubrange(end, with: "</junction>")
        }
        let mutated = try PLCopenDocument(text)
        let problems = Self.check(try #require(mutated.pou("rx380_main")), try Self.facts())
        #expect(problems.contains { $0.contains(mutation.problem) }, "\(problems.prefix(5))")
    }

    @Test("every feedback wire of the program is a connection from a box that runs later (or itself)")
    func feedbackWires() throws {
        let document = try PLCopenDocument(try PLCCommand.run(["export", "plcopen", "programs/rx380_main"]).stdout)
        let chart = try #require(document.chart(of: "rx380_main"))
        let ids = PLCopenDocument.byId(chart)
        let blocks = PLCopenDocument.children(chart, "block")
        func block(_ name: String) -> XMLElement? { blocks.first { PLCopenDocument.attribute($0, "instanceName") == name } }
        func order(_ element: XMLElement) -> Int { PLCopenDocument.attribute(element, "executionOrderId").flatMap(Int.init) ?? -1 }
        // pollTimer: IN is NOT pollTimer.Q, fed back (programs/rx380_main/program.yaml).
        let timer = try #require(block("pollTimer"))
        let source = try #require(PLCopenDocument.source(of: "IN", in: timer, ids))
        #expect(source.element === timer && source.pin == "Q" && source.negated)
        // The bus client: xConnect is its own xError, negated and fed back.
        let client = try #require(block("meter"))
        let connect = try #require(PLCopenDocument.source(of: "xConnect", in: client, ids))
        #expect(connect.element === client && connect.pin == "xError" && connect.negated)
        // Every connection from a box into a box that runs earlier or is itself is a feedback; there is at least one.
        var feedbacks = 0
        for consumer in blocks {
            for variable in PLCopenDocument.descendants(consumer, "inputVariables").flatMap({ PLCopenDocument.children($0, "variable") }) {
                guard let pin = PLCopenDocument.attribute(variable, "formalParameter"),
                      let from = PLCopenDocument.source(of: pin, in: consumer, ids), from.element.tag == "block" else { continue }
                if order(from.element) >= order(consumer) { feedbacks += 1 }
            }
        }
        #expect(feedbacks >= 2)
    }

    @Test("the FB's inputs are input boxes and its outputs output boxes inside its chart")
    func functionBlockBoxes() throws {
        let document = try PLCopenDocument(try PLCCommand.run(["export", "plcopen", "programs/site_main"]).stdout)
        let pou = try #require(document.pou("Location"))
        #expect(PLCopenDocument.attribute(pou, "pouType") == "functionBlock")
        let chart = try #require(PLCopenDocument.chart(pou))
        let inputs = Set(PLCopenDocument.children(chart, "inVariable").compactMap(PLCopenDocument.expression))
        let outputs = Set(PLCopenDocument.children(chart, "outVariable").compactMap(PLCopenDocument.expression))
        for name in ["xPoll", "xLog", "sLocation", "sCsvFolder", "sLogFile"] { #expect(inputs.contains(name), "\(name)") }
        #expect(outputs == ["xFault", "udiRows"])
        let interface = try #require(PLCopenDocument.children(pou, "interface").first)
        let declared = PLCopenDocument.children(interface, "outputVars").flatMap { PLCopenDocument.children($0, "variable") }
            .compactMap { PLCopenDocument.attribute($0, "name") }
        #expect(declared == ["xFault", "udiRows"])
        // No ScanClock nor bus client inside an FB: the program calls them once.
        #expect(!PLCopenDocument.children(chart, "block").contains { PLCopenDocument.attribute($0, "typeName") == "ScanClock" })
        // The program draws three Location boxes, each an instance.
        let program = try #require(document.chart(of: "site_main"))
        let locations = PLCopenDocument.children(program, "block").filter { PLCopenDocument.attribute($0, "typeName") == "Location" }
        #expect(locations.compactMap { PLCopenDocument.attribute($0, "instanceName") } == ["office", "production", "aircon"])
    }

    static let twoTasks = """
        program: twotasks
        tasks:
          - {name: fast, interval: T#10ms, priority: 1, blocks: [pulse]}
          - {name: slow, interval: T#50ms, priority: 20, watchdog: T#200ms, blocks: [count]}
        variables:
          - {name: Pulses, type: WORD, retain: true}
          - {name: Limit, type: WORD, initial: 1000}
        blocks:
          - name: pulse
            type: TON
            inputs:
              IN: {from: NOT pulse.Q, feedback: true}
              PT: T#20ms
          - name: count
            type: CTU
            persistent: true
            inputs:
              CU: pulse.Q
              PV: Limit
            outputs:
              CV: Pulses
        """

    @Test("a tasks: list becomes one Codesys task per entry, each calling the POU of its blocks; RETAIN and PERSISTENT in Codesys's form")
    func tasksAndRetain() throws {
        let result = try PLCCommand.run(["export", "plcopen", try PLCCommand.programFolder(Self.twoTasks)])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try PLCopenDocument(result.stdout)
        let tasks = PLCopenDocument.descendants(document.root, "task")
        #expect(tasks.compactMap { PLCopenDocument.attribute($0, "name") } == ["Task_fast", "Task_slow"])
        #expect(tasks.compactMap { PLCopenDocument.attribute($0, "interval") } == ["PT0.01S", "PT0.05S"])
        #expect(tasks.compactMap { PLCopenDocument.attribute($0, "priority") } == ["1", "20"])
        let called = tasks.map { PLCopenDocument.children($0, "pouInstance").compactMap { PLCopenDocument.attribute($0, "name") } }
        #expect(called == [["twotasks_fast"], ["twotasks_slow"]])
        let watchdogs = tasks.map { PLCopenDocument.descendants($0, "Watchdog").compactMap { PLCopenDocument.attribute($0, "Time") } }
        #expect(watchdogs == [[], ["t#200ms"]])
        // Each task's POU draws its own blocks; a wire from the other task reads it by path.
        let fast = try #require(document.chart(of: "twotasks_fast")), slow = try #require(document.chart(of: "twotasks_slow"))
        func instances(_ chart: XMLElement) -> [String] {
            PLCopenDocument.children(chart, "block").compactMap { PLCopenDocument.attribute($0, "instanceName") }
        }
        #expect(instances(fast) == ["fbScanClock", "pulse"])
        #expect(instances(slow) == ["count"])
        let ids = PLCopenDocument.byId(slow)
        let count = try #require(PLCopenDocument.children(slow, "block").first)
        #expect(PLCopenDocument.source(of: "CU", in: count, ids).flatMap { PLCopenDocument.expression($0.element) } == "twotasks_fast.pulse.Q")
        #expect(PLCopenDocument.children(slow, "outVariable").compactMap(PLCopenDocument.expression) == ["twotasks_fast.Pulses"])
        // RETAIN and PERSISTENT: their own localVars lists, as Codesys writes VAR RETAIN / VAR PERSISTENT.
        func declared(_ pou: String, _ attribute: String?) -> [String] {
            let interface = document.pou(pou).flatMap { PLCopenDocument.children($0, "interface").first }
            let lists = interface.map { PLCopenDocument.children($0, "localVars") } ?? []
            return lists.filter { list in attribute.map { PLCopenDocument.attribute(list, $0) == "true" }
                                  ?? (PLCopenDocument.attribute(list, "retain") == nil && PLCopenDocument.attribute(list, "persistent") == nil) }
                .flatMap { PLCopenDocument.children($0, "variable") }.compactMap { PLCopenDocument.attribute($0, "name") }
        }
        #expect(declared("twotasks_fast", "retain") == ["Pulses"])
        #expect(declared("twotasks_fast", nil) == ["Limit", "fbScanClock", "pulse"])
        #expect(declared("twotasks_slow", "persistent") == ["count"])
        #expect(declared("twotasks_slow", nil) == [])
        for name in ["twotasks_fast", "twotasks_slow"] {
            let problems = Self.check(try #require(document.pou(name)), try Self.facts())
            #expect(problems.isEmpty, "\(problems.prefix(10))")
        }
        if CodesysExportTests.schemaAvailable {
            let valid = try CodesysExportTests.validate(result.stdout)
            #expect(valid.ok, "\(valid.output)")
        }
    }

    /// Where a block's VAR_IN_OUT `pin` comes from: the inVariable behind its connector.
    static func inOutSource(_ pin: String, of block: XMLElement, _ ids: [String: XMLElement]) -> String? {
        let variables = PLCopenDocument.children(block, "inOutVariables").first.map { PLCopenDocument.children($0, "variable") } ?? []
        guard let variable = variables.first(where: { PLCopenDocument.attribute($0, "formalParameter") == pin }),
              let point = PLCopenDocument.children(variable, "connectionPointIn").first,
              let ref = PLCopenDocument.children(point, "connection").first.flatMap({ PLCopenDocument.attribute($0, "refLocalId") }),
              let connector = ids[ref], connector.tag == "connector",
              let connection = PLCopenDocument.descendants(connector, "connection").first,
              let source = PLCopenDocument.attribute(connection, "refLocalId").flatMap({ ids[$0] }), source.tag == "inVariable"
        else { return nil }
        return PLCopenDocument.expression(source)
    }

    @Test("site_main's PLCopen export carries the bus into Location and its MeterRead, and the meter table with its types",
          .enabled(if: CodesysExportTests.schemaAvailable))
    func siteMainMeterTable() throws {
        let result = try PLCCommand.run(["export", "plcopen", "programs/site_main"])
        #expect(result.status == 0, "\(result.stderr)")
        let valid = try CodesysExportTests.validate(result.stdout)
        #expect(valid.ok, "\(valid.output)")
        let document = try PLCopenDocument(result.stdout)
        // The FB takes the bus as rClient (VAR_IN_OUT) and tReplyTimeout, and passes both to its MeterRead.
        let location = try #require(document.pou("Location"))
        let interface = try #require(PLCopenDocument.children(location, "interface").first)
        func declared(_ element: String) -> [String] {
            PLCopenDocument.children(interface, element).flatMap { PLCopenDocument.children($0, "variable") }
                .compactMap { PLCopenDocument.attribute($0, "name") }
        }
        #expect(declared("inOutVars") == ["rClient"])
        #expect(declared("inputVars").contains("tReplyTimeout"))
        let inner = try #require(PLCopenDocument.chart(location))
        let innerIds = PLCopenDocument.byId(inner)
        let meter = try #require(PLCopenDocument.children(inner, "block").first { PLCopenDocument.attribute($0, "typeName") == "MeterRead" })
        #expect(Self.inOutSource("rClient", of: meter, innerIds) == "rClient")
        #expect(PLCopenDocument.source(of: "tReplyTimeout", in: meter, innerIds).flatMap { PLCopenDocument.expression($0.element) }
                == "tReplyTimeout")
        // Each Location box of the program gets the program's bus client and its response timeout.
        let program = try #require(document.chart(of: "site_main"))
        let ids = PLCopenDocument.byId(program)
        let boxes = PLCopenDocument.children(program, "block").filter { PLCopenDocument.attribute($0, "typeName") == "Location" }
        #expect(boxes.compactMap { PLCopenDocument.attribute($0, "instanceName") } == ["office", "production", "aircon"])
        for box in boxes {
            let name = PLCopenDocument.attribute(box, "instanceName") ?? "?"
            #expect(Self.inOutSource("rClient", of: box, ids) == "rs485", "\(name)")
            #expect(PLCopenDocument.source(of: "tReplyTimeout", in: box, ids).flatMap { PLCopenDocument.expression($0.element) }
                    == "T#500ms", "\(name)")
        }
        // The meter table as a constant global list, from meters/rx380.yaml and meters/sdm630.yaml.
        let lists = PLCopenDocument.descendants(document.root, "globalVars")
        let gvl = try #require(lists.first { PLCopenDocument.attribute($0, "name") == "GVL_MeterModels" })
        #expect(PLCopenDocument.attribute(gvl, "constant") == "true")
        let table = try #require(PLCopenDocument.children(gvl, "variable").first { PLCopenDocument.attribute($0, "name") == "gc_astMeterModels" })
        let names = PLCopenDocument.descendants(table, "value").filter { PLCopenDocument.attribute($0, "member") == "sName" }
            .compactMap { PLCopenDocument.descendants($0, "simpleValue").first.flatMap { PLCopenDocument.attribute($0, "value") } }
        #expect(names == ["'rx380'", "'sdm630'"])
        let columns = PLCopenDocument.descendants(table, "value").filter { PLCopenDocument.attribute($0, "member") == "eFormat" }
        #expect(columns.count == 26)
        // Its types as structures.
        let types = PLCopenDocument.descendants(document.root, "dataType")
        for (type, member) in [("ST_MeterModel", "astColumns"), ("ST_MeterGroup", "uiStart"), ("ST_MeterColumn", "eFormat")] {
            let declaration = try #require(types.first { PLCopenDocument.attribute($0, "name") == type }, "\(type)")
            let members = PLCopenDocument.descendants(declaration, "struct").first.map { PLCopenDocument.children($0, "variable") } ?? []
            #expect(members.contains { PLCopenDocument.attribute($0, "name") == member }, "\(type)")
        }
    }

    @Test("libraries are referenced at the versions the twins follow, in the application's Library Manager")
    func libraries() throws {
        let document = try PLCopenDocument(try PLCCommand.run(["export", "plcopen", "programs/rx380_main"]).stdout)
        let resource = try #require(PLCopenDocument.descendants(document.root, "resource").first)
        let data = try #require(PLCopenDocument.children(resource, "addData").first.flatMap {
            PLCopenDocument.children($0, "data").first { PLCopenDocument.attribute($0, "name") == "http://www.3s-software.com/plcopenxml/libraries" }
        })
        let names = PLCopenDocument.descendants(data, "Library").compactMap { PLCopenDocument.attribute($0, "Name") }
        for expected in ["ModbusFB, 4.1.0.0 (CODESYS)", "SysCom, 3.5.17.0 (System)", "CAA File, 3.5.17.0 (CAA Technical Workgroup)",
                         "SysTimeRtc, 3.5.17.0 (System)", "CmpLog, 3.5.17.0 (System)", "Standard, 3.5.17.0 (System)"] {
            #expect(names.contains(expected), "\(names)")
        }
        let modbus = try #require(PLCopenDocument.descendants(data, "Library").first { PLCopenDocument.attribute($0, "Name")?.hasPrefix("ModbusFB") == true })
        #expect(PLCopenDocument.attribute(modbus, "Namespace") == "ModbusFB")
        #expect(PLCopenDocument.attribute(modbus, "SystemLibrary") == "false")
    }
}

extension XMLElement {
    /// The element's name without a prefix.
    var tag: String {
        let name = localName ?? self.name ?? ""
        return name.split(separator: ":").last.map(String.init) ?? name
    }
}
