#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore
public import PLCGraph

/// Writes a PLCopen TC6 XML project for Codesys's "Import PLCopenXML", in the form Codesys's own
/// exports have (docs/plcopen.md lists each fact and the public export it was read from):
///
/// - the POUs of st-reference/ with their ST bodies;
/// - the program, and each FBD function block it uses, drawn in CFC: an empty `<ST>` body and the
///   chart in the body's `addData` (`http://www.3s-software.com/plcopenxml/cfc`), every box and
///   output with an `executionOrderId`, every wire through a `connector`, every box with its
///   `cfccalltype`; a feedback wire is a connection from a box that runs later;
/// - the library references with their versions in the application's `addData`
///   (`http://www.3s-software.com/plcopenxml/libraries`);
/// - the task configuration: configuration `Device`, resource `Application`, one task per task of
///   the program (named `Task_<name>`, so it meets no task a Codesys template creates), its ISO
///   interval and `tasksettings`.
///
/// The program calls `ScanClock` first and connects each bus client (`xConnect` is the negated
/// client's own `xError`, fed back), as the ST program does. CFC has no pin for one array element
/// and no array literal as an input: element wires go through a generated `Pack_<pin>` block whose
/// `OUT` feeds the whole array pin, and array literals initialise the instance.
///
/// The namespace is Codesys's (`tc6_0200`); the element structure is also valid TC6 2.01.
public struct PLCopenExporter {
    public static let namespace = "http://www.plcopen.org/xml/tc6_0200"

    /// A library reference as Codesys's Library Manager writes it: title, version, company, namespace.
    public struct Library: Sendable {
        public let name: String
        public let version: String
        public let company: String
        public let namespace: String

        public init(name: String, version: String, company: String, namespace: String) {
            self.name = name
            self.version = version
            self.company = company
            self.namespace = namespace
        }
    }

    let program: CompiledProgram
    let sources: [STSource]
    let functionBlocks: [(definition: FunctionBlockDefinition, network: CompiledProgram)]
    let libraries: [Library]
    /// The FBD blocks (upper-cased names) that take the bus as `rClient` and `tReplyTimeout`.
    let busUsers: Set<String>

    /// `sources` are the st-reference POUs; the program's own ST file is replaced by its CFC body, as
    /// is an ST source named like one of `functionBlocks` (the FBD blocks the program uses, inner
    /// before outer, each with its own network compiled); `busUsers` those of them with a bus client
    /// inside (`STFunctionBlockExporter.Unflattened.busUsers`).
    public init(_ program: CompiledProgram, sources: [STSource],
                functionBlocks: [(definition: FunctionBlockDefinition, network: CompiledProgram)] = [],
                libraries: [Library] = [], busUsers: Set<String> = []) {
        self.busUsers = busUsers
        self.program = program
        let drawn = Set(functionBlocks.map { $0.definition.name.uppercased() })
        self.sources = sources.filter {
            !($0.kind == .program && $0.name == program.name) && !drawn.contains($0.name.uppercased())
        }
        self.functionBlocks = functionBlocks
        self.libraries = libraries
    }

    /// The networks drawn in CFC: each FBD function block, then the program.
    var networks: [CFCNetwork] {
        (functionBlocks.map { CFCNetwork(program: $0.network, functionBlock: $0.definition) } + programNetworks()).map {
            var network = $0
            network.busUsers = busUsers
            return network
        }
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
        var packs = Set<String>()
        for network in networks {
            for pack in network.packTypes() where packs.insert(pack.name).inserted { pou(&x, pack) }
        }
        for network in networks { cfcPOU(&x, network) }
        x.close("pous")
        x.close("types")
        x.open("instances")
        x.open("configurations")
        x.open("configuration", ["name": "Device"])
        x.open("resource", ["name": "Application"])
        tasks(&x)
        for source in sources where source.kind == .globalVars {
            for section in source.sections {
                var attributes = ["name": source.name.isEmpty ? "GVL_Scan" : source.name]
                if section.keyword.hasSuffix(" CONSTANT") { attributes["constant"] = "true" }
                x.open("globalVars", attributes)
                for v in section.variables { variable(&x, v) }
                x.close("globalVars")
            }
        }
        libraryReferences(&x)
        x.close("resource")
        x.close("configuration")
        x.close("configurations")
        x.close("instances")
        x.close("project")
        return x.text
    }

    /// The application's Library Manager: each library fixed to its version, as Codesys writes a
    /// reference that is not a placeholder (`Name="<title>, <version> (<company>)"`).
    private func libraryReferences(_ x: inout XMLWriter) {
        guard !libraries.isEmpty else { return }
        x.open("addData")
        x.open("data", ["name": "http://www.3s-software.com/plcopenxml/libraries", "handleUnknown": "implementation"])
        x.open("Libraries")
        for library in libraries {
            x.empty("Library", ["Name": "\(library.name), \(library.version) (\(library.company))", "Namespace": library.namespace,
                                "HideWhenReferencedAsDependency": "false", "PublishSymbolsInContainer": "false",
                                "SystemLibrary": "false", "LinkAllContent": "false"])
        }
        x.close("Libraries")
        x.close("data")
        x.close("addData")
    }

    /// A task interval as Codesys writes it: ISO 8601 seconds (`PT0.1S`, `PT0.02S`, `PT1S`).
    static func isoDuration(_ ms: Int64) -> String {
        var fraction = String(ms % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "PT\(ms / 1000)" + (fraction.isEmpty ? "" : ".\(fraction)") + "S"
    }

    // MARK: - Declarations

    private func dataType(_ x: inout XMLWriter, _ source: STSource) {
        x.open("dataType", ["name": source.name])
        x.open("baseType")
        if let members = source.structMembers {
            x.open("struct")
            for member in members { variable(&x, member) }
            x.close("struct")
        } else {
            x.open("enum")
            x.open("values")
            for value in source.enumValues { x.empty("value", ["name": value.name, "value": value.value]) }
            x.close("values")
            x.close("enum")
        }
        x.close("baseType")
        documentation(&x, source.documentation)
        x.close("dataType")
    }

    func pou(_ x: inout XMLWriter, _ source: STSource) {
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

    func variable(_ x: inout XMLWriter, _ v: STSource.Variable, members: [(pin: String, value: String)] = []) {
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
    func type(_ x: inout XMLWriter, _ text: String) {
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

    /// An ST initial value: simple, array (with repetitions, of structures) or structure (an FB
    /// instance's member values, a STRUCT constant), nested as deep as the text is.
    private func value(_ x: inout XMLWriter, _ text: String) {
        let t = text.trimmingSpaces()
        if t.hasPrefix("[") && t.hasSuffix("]") {
            x.open("arrayValue")
            for item in Self.items(t.dropFirst().dropLast()) {
                if let open = item.firstIndex(of: "("), item.hasSuffix(")"), let n = Int(item[..<open]) {
                    x.open("value", ["repetitionValue": String(n)])
                    value(&x, String(item[item.index(after: open)..<item.index(before: item.endIndex)]))
                } else {
                    x.open("value")
                    value(&x, item)
                }
                x.close("value")
            }
            x.close("arrayValue")
        } else if t.hasPrefix("(") && t.hasSuffix(")"), t.contains(":=") {
            x.open("structValue")
            for item in Self.items(t.dropFirst().dropLast()) {
                guard let assign = item.firstRange(of: ":=") else { continue }
                x.open("value", ["member": item[..<assign.lowerBound].trimmingSpaces()])
                value(&x, String(item[assign.upperBound...]))
                x.close("value")
            }
            x.close("structValue")
        } else {
            x.empty("simpleValue", ["value": t])
        }
    }

    /// The comma-separated items of a list, split only outside brackets, parentheses and strings.
    static func items(_ text: Substring) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        var quoted = false
        for c in text {
            if c == "'" { quoted.toggle() }
            if !quoted {
                if c == "(" || c == "[" { depth += 1 }
                if c == ")" || c == "]" { depth -= 1 }
                if c == "," && depth == 0 {
                    items.append(current.trimmingSpaces())
                    current = ""
                    continue
                }
            }
            current.append(c)
        }
        if !current.trimmingSpaces().isEmpty { items.append(current.trimmingSpaces()) }
        return items
    }

    func documentation(_ x: inout XMLWriter, _ text: String) {
        guard !text.isEmpty else { return }
        x.open("documentation")
        x.text("xhtml", text, ["xmlns": "http://www.w3.org/1999/xhtml"])
        x.close("documentation")
    }

}

/// A small indenting XML writer with escaping.
struct XMLWriter {
    private(set) var text = ""
    private(set) var depth = 0

    init(depth: Int = 0) { self.depth = depth }

    mutating func line(_ s: String) { text += String(repeating: "  ", count: depth) + s + "\n" }

    mutating func open(_ name: String, _ attributes: [String: String] = [:]) {
        line("<\(name)\(Self.attributes(attributes))>")
        depth += 1
    }

    /// Appends text written by another writer (started at this writer's depth).
    mutating func append(_ other: XMLWriter) { text += other.text }

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
