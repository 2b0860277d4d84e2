import Foundation
import PLCBlocks
import PLCCore
import PLCGraph
import PLCModbus
import PLCStorage
import Testing

/// st-reference/ against blocks/ and programs/, read by blark (a parser this project did not write).
@Suite("The Codesys port in st-reference/", .serialized)
struct CodesysPortTests {
    /// Blocks that Codesys's Standard library (or an ST operator) provides: no ST file of ours.
    static let fromCodesys: Set<String> = ["TON", "TOF", "TP", "R_TRIG", "F_TRIG", "CTU", "CTD", "SR", "RS", "AND", "OR"]

    /// ST-only inputs that carry a setting the Swift runtime takes from the program file's bus, as
    /// each bus client block type declares them.
    static var busInputs: [String: Set<String>] {
        var inputs: [String: Set<String>] = [:]
        for type in library.types {
            if let client = type as? any BusClientBlock.Type { inputs[client.typeName] = client.stBusInputs }
        }
        return inputs
    }

    static let library: BlockLibrary = {
        var library = BlockLibrary.standard
        for type: any FunctionBlock.Type in [ModbusRead.self, CSVLogger.self, EventLog.self, Display.self] {
            library.add(type)
        }
        return library
    }()

    /// One declaration as blark read it from an ST file.
    struct STDecl: Decodable {
        let scope: String
        let name: String
        let type: String
        let initial: String?
    }

    struct STSummary: Decodable {
        let files: Int
        let function_blocks: [String: [STDecl]]
        let programs: [String]
    }

    /// Runs Tests/peers/st_check.py (blark) over `folder`.
    static func blark(_ folder: String) throws -> (summary: STSummary?, status: Int32, stderr: String) {
        let process = try BackgroundProcess("/usr/bin/env", ["python3", "Tests/peers/st_check.py", folder])
        process.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        let json = process.output.joined(separator: "\n")
        let summary = try? JSONDecoder().decode(STSummary.self, from: Data(json.utf8))
        return (summary, process.process.terminationStatus, process.errorOutput.joined(separator: "\n"))
    }

    /// Every difference between the ST function blocks and the blocks/ declarations.
    static func interfaceMismatches(_ summary: STSummary) throws -> [String] {
        var problems: [String] = []
        let enums = library.enumerations
        for name in library.typeNames where !fromCodesys.contains(name) {
            let path = PLCCommand.root.appendingPathComponent("blocks/\(name)/\(name).yaml").path
            let declared = try BlockDeclaration.load(path, enums: enums).table.decls.filter { $0.scope != .local }
            guard let st = summary.function_blocks[name]?.filter({ !(Self.busInputs[name] ?? []).contains($0.name) }) else {
                problems.append("\(name): no FUNCTION_BLOCK in st-reference")
                continue
            }
            if st.map(\.name) != declared.map(\.name) {
                problems.append("\(name): pins \(st.map(\.name)) in ST, \(declared.map(\.name)) in blocks/")
                continue
            }
            for (s, d) in zip(st, declared) {
                if s.scope != d.scope.rawValue { problems.append("\(name).\(d.name): \(s.scope) in ST, \(d.scope.rawValue) in blocks/") }
                guard let type = try? IECType.parse(s.type.hasPrefix("STRING(") ? "STRING" : s.type, enums: enums) else {
                    problems.append("\(name).\(d.name): ST type \(s.type) is unknown")
                    continue
                }
                if type != d.type { problems.append("\(name).\(d.name): \(s.type) in ST, \(d.type.name) in blocks/") }
                let initial = try s.initial.map { try IECLiteral.parse($0, as: type) } ?? type.defaultValue
                if !IECLiteral.matches(initial, d.initial, as: d.type) {
                    problems.append("\(name).\(d.name): initial \(s.initial ?? "(none)") in ST, "
                                    + "\(IECLiteral.format(d.initial, as: d.type)) in blocks/")
                }
            }
        }
        for name in fromCodesys where summary.function_blocks[name] != nil {
            problems.append("\(name) comes from Codesys's Standard library and must not be re-implemented")
        }
        return problems
    }

    @Test("every .st file parses with blark, and each block's ST interface equals its blocks/ declaration")
    func interfaces() throws {
        let result = try Self.blark("st-reference")
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(result.summary)
        #expect(summary.files >= 17)
        #expect(summary.programs.contains("rx380_main"))
        let problems = try Self.interfaceMismatches(summary)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// A scratch copy of st-reference/ to mutate.
    static func copyOfReference() throws -> String {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("st-copy-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.copyItem(atPath: PLCCommand.root.appendingPathComponent("st-reference").path, toPath: copy)
        return copy
    }

    @Test("a pin renamed on the ST side only is caught, naming the block and the pins")
    func renamedPinIsCaught() throws {
        let copy = try Self.copyOfReference()
        let path = copy + "/Scale.st"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "wReg1", with: "wRegHigh").write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try #require(try Self.blark(copy).summary)
        let problems = try Self.interfaceMismatches(summary)
        #expect(problems.count == 1 && problems[0].hasPrefix("Scale: pins ") && problems[0].contains("wRegHigh"), "\(problems)")
    }

    @Test("a changed initial value or type on the ST side only is caught")
    func changedDeclarationIsCaught() throws {
        let copy = try Self.copyOfReference()
        let path = copy + "/ModbusRead.st"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "uiQuantity : UINT := 1;", with: "uiQuantity : UINT := 2;")
            .replacingOccurrences(of: "tAge : TIME := T#0MS;", with: "tAge : DINT := 0;")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let problems = try Self.interfaceMismatches(try #require(try Self.blark(copy).summary))
        #expect(problems.contains("ModbusRead.uiQuantity: initial 2 in ST, 1 in blocks/"), "\(problems)")
        #expect(problems.contains("ModbusRead.tAge: DINT in ST, TIME in blocks/"), "\(problems)")
    }

    @Test("a syntax error in an ST file fails the blark check with its file and line")
    func syntaxErrorIsCaught() throws {
        let copy = try Self.copyOfReference()
        let path = copy + "/ErrorLatch.st"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "xRaised := FALSE;\nxCleared", with: "xRaised := ;\nxCleared")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Self.blark(copy)
        #expect(result.status == 1)
        #expect(result.stderr.contains("ErrorLatch.st:"), "\(result.stderr)")
    }

    @Test("the ST program rx380_main calls the same instances with the same wires as programs/rx380_main")
    func sameWiring() throws {
        let committed = try String(contentsOf: PLCCommand.root.appendingPathComponent("st-reference/rx380_main.st"), encoding: .utf8)
        let exported = try PLCCommand.run(["export", "st", "programs/rx380_main"])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout == committed, "st-reference/rx380_main.st is stale: run plc export st programs/rx380_main --output st-reference")
    }

    @Test("a wire changed in the program file only makes the exported ST differ from the committed one")
    func changedWireIsCaught() throws {
        let source = try String(contentsOf: PLCCommand.root.appendingPathComponent("programs/rx380_main/program.yaml"), encoding: .utf8)
        let dir = try PLCCommand.programFolder(source.replacingOccurrences(of: "wReg0: readMain.awData[34]", with: "wReg0: readMain.awData[35]"))
        let exported = try PLCCommand.run(["export", "st", dir])
        #expect(exported.status == 0, "\(exported.stderr)")
        let committed = try String(contentsOf: PLCCommand.root.appendingPathComponent("st-reference/rx380_main.st"), encoding: .utf8)
        #expect(exported.stdout != committed)
        #expect(exported.stdout.contains("vL1(wReg0 := readMain.awData[35]"))
    }
}

@Suite("Generated Codesys artefacts", .serialized)
struct CodesysExportTests {
    @Test("st-reference/tests holds exactly what plc export st-tests generates from blocks/ vectors")
    func stTestsAreCurrent() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("st-tests-\(UUID().uuidString.prefix(8))").path
        let result = try PLCCommand.run(["export", "st-tests", "--output", out])
        #expect(result.status == 0, "\(result.stderr)")
        let committedDir = PLCCommand.root.appendingPathComponent("st-reference/tests").path
        let generated = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        let committed = try FileManager.default.contentsOfDirectory(atPath: committedDir).sorted()
        #expect(generated == committed)
        #expect(generated.count >= 18)
        for name in generated {
            let a = try String(contentsOfFile: out + "/" + name, encoding: .utf8)
            let b = try String(contentsOfFile: committedDir + "/" + name, encoding: .utf8)
            #expect(a == b, "st-reference/tests/\(name) is stale: run plc export st-tests --output st-reference/tests")
        }
        // Every recorded output of a vector file becomes one check.
        let scale = try String(contentsOfFile: out + "/Test_Scale_scale_word_orders.st", encoding: .utf8)
        #expect(scale.components(separatedBy: "fbLog(xOk := ").count - 1 == 22)
    }

    @Test("the generated tests are FB suites and one runner PROGRAM on Standard and CmpLog: no TcUnit, no METHOD, no GVL_Scan writes")
    func stTestsNeedOnlyStandard() throws {
        let result = try PLCCommand.run(["export", "st-tests"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout
        for banned in ["TcUnit", "METHOD", "FB_TestSuite", "Assert", "TEST(", "EXTENDS"] {
            #expect(!text.contains(banned), "\(banned) in the generated tests")
        }
        // ScanClock owns GVL_Scan: the suites step it instead of writing the GVL.
        #expect(!text.contains("GVL_Scan.tNow :=") && !text.contains("GVL_Scan.liLocalMs :="))
        let suites = text.components(separatedBy: "\nFUNCTION_BLOCK Test_").count - 1
        #expect(suites >= 20 && suites + 1 == text.components(separatedBy: "END_FUNCTION_BLOCK").count - 1)
        // One helper block, TestLog, keeps the first failure in words with its vector line and logs each.
        #expect(text.contains("FUNCTION_BLOCK TestLog") && text.contains("LogAdd2(hLogger := LogConstants.LOG_STD_LOGGER"))
        #expect(text.contains("sWhat := 'line 6: lrValue', sActual := LREAL_TO_STRING(fbUnderTest.lrValue)"))
        // One runner PROGRAM calls every suite.
        #expect(text.components(separatedBy: "\nPROGRAM ").count - 1 == 1 && text.contains("PROGRAM TestRunner"))
        #expect(text.components(separatedBy: "    fbTest_").count - 1 == suites)
    }

    @Test("scan times and TIME values past 2^32 ms are written as Codesys's 32-bit TIME sees them")
    func stTestsWrapTime() throws {
        let result = try PLCCommand.run(["export", "st-tests"])
        let wrap = try #require(result.stdout.components(separatedBy: "FUNCTION_BLOCK Test_ErrorLatch_error_latch_time_wrap\n").dropFirst().first)
        #expect(wrap.contains("tStepNow := T#2704ms"))                 // 4294970000 - 2^32
        #expect(wrap.contains("liStepLocalMs := 4294970000"))         // LINT: no wrap
        #expect(wrap.contains("fbLog(xOk := NOT (fbUnderTest.tOutage <> T#20000ms)"))
        #expect(!wrap.contains("T#4294970000ms"))
    }

    @Test("a real-time timer suite checks no row within 5 ms of the instant ET reaches PT")
    func timerRowsStayOffThePTEdge() throws {
        let text = try String(contentsOf: PLCCommand.root.appendingPathComponent("st-reference/tests/Test_TON_ton_basic.st"), encoding: .utf8)
        // blocks/TON/vectors/ton_basic.csv: IN rises at 110 with PT 100; rows at 209 (ET 99) and 210 (Q TRUE).
        #expect(text.contains("(* line 11: t_ms = 209; checked at 205, 5 ms from the PT edge *)"), "\(text)")
        #expect(text.contains("IF TIME() - tStart >= T#205ms THEN") && text.contains("sExpected := 'T#95ms'"))
        #expect(text.contains("IF TIME() - tStart >= T#215ms THEN"))
        #expect(!text.contains(">= T#209ms") && !text.contains(">= T#210ms"))
    }

    /// Validates `xml` (Codesys's 2.0 namespace) against the TC6 2.01 schema in shared/plcopen.
    static func validate(_ xml: String) throws -> (ok: Bool, output: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plcopen-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("project.xml").path
        try xml.replacingOccurrences(of: "http://www.plcopen.org/xml/tc6_0200", with: "http://www.plcopen.org/xml/tc6_0201")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let schema = PLCCommand.root.deletingLastPathComponent().appendingPathComponent("shared/plcopen/tc6_xml_v201.xsd").path
        let process = try BackgroundProcess("/usr/bin/xmllint", ["--noout", "--schema", schema, file])
        process.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        return (process.process.terminationStatus == 0, process.errorOutput.joined(separator: "\n"))
    }

    static let schemaAvailable = FileManager.default.fileExists(
        atPath: PLCCommand.root.deletingLastPathComponent().appendingPathComponent("shared/plcopen/tc6_xml_v201.xsd").path)

    @Test("plc export plcopen writes a project that validates against the TC6 schema, and a broken one does not",
          .enabled(if: schemaAvailable))
    func plcopenValidates() throws {
        let result = try PLCCommand.run(["export", "plcopen", "programs/rx380_main"])
        #expect(result.status == 0, "\(result.stderr)")
        let valid = try Self.validate(result.stdout)
        #expect(valid.ok, "\(valid.output)")
        let broken = result.stdout.replacingOccurrences(of: "<pou name=\"Scale\" pouType=\"functionBlock\">",
                                                        with: "<pou name=\"Scale\" pouType=\"gadget\">")
        #expect(!(try Self.validate(broken)).ok)
    }

    @Test("the PLCopen program is the CFC graph: every block in plc check's order, every connection resolved")
    func plcopenGraph() throws {
        let xml = try PLCCommand.run(["export", "plcopen", "programs/rx380_main"]).stdout
        let check = try PLCCommand.run(["check", "programs/rx380_main"]).stdout
        // plc check's execution order: "  1. pollTimer     TON"
        let listed = check.split(separator: "\n").compactMap { line -> (name: String, type: String)? in
            let parts = line.split(separator: " ")
            return parts.count == 3 && parts[0].hasSuffix(".") && Int(parts[0].dropLast()) != nil ? (String(parts[1]), String(parts[2])) : nil
        }
        // Operators (AND, OR) have no instance: the XML names them by their type.
        let order = listed.map { ["AND", "OR"].contains($0.type) ? $0.type : $0.name }
        #expect(order.count == 39)
        var blocks: [(order: Int, name: String)] = []
        var ids = Set<String>()
        var references: [String] = []
        for line in xml.split(separator: "\n") {
            let text = String(line)
            if let id = Self.attribute("localId", text) { ids.insert(id) }
            if let ref = Self.attribute("refLocalId", text) { references.append(ref) }
            if text.contains("<block "), let n = Self.attribute("executionOrderId", text).flatMap(Int.init) {
                blocks.append((n, Self.attribute("instanceName", text) ?? Self.attribute("typeName", text)!))
            }
        }
        let sorted = blocks.sorted { $0.order < $1.order }.map(\.name)
        #expect(sorted.prefix(2) == ["fbScanClock", "meter"], "ScanClock, then the bus client, before the program")
        #expect(sorted.dropFirst(2).filter { !$0.hasPrefix("pack_") } == order)
        // Each Pack block runs just before the block whose array it fills.
        for (n, name) in sorted.enumerated() where name.hasPrefix("pack_") {
            #expect(name.hasPrefix("pack_\(sorted[n + 1])_"), "\(name) before \(sorted[n + 1])")
        }
        #expect(references.count >= 60)
        #expect(references.allSatisfy(ids.contains), "a connection points at no element")
    }

    @Test("the PLCopen program stamps the scan, connects the client, and has no element pins nor array literals")
    func plcopenCodesysFBD() throws {
        let xml = try PLCCommand.run(["export", "plcopen", "programs/rx380_main"]).stdout
        let lines = xml.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("typeName=\"ScanClock\"") && $0.contains("instanceName=\"fbScanClock\"") && $0.contains("executionOrderId=\"1\"") })
        // meter(xConnect := ..., ...) with the bus's serial settings: each input resolved to its literal.
        let document = try PLCopenDocument(xml)
        let chart = try #require(document.chart(of: "rx380_main"))
        let ids = PLCopenDocument.byId(chart)
        let meter = try #require(PLCopenDocument.children(chart, "block").first { PLCopenDocument.attribute($0, "instanceName") == "meter" })
        func input(_ pin: String) -> String? {
            PLCopenDocument.source(of: pin, in: meter, ids).flatMap { PLCopenDocument.expression($0.element) }
        }
        let expressions = PLCopenDocument.children(chart, "inVariable").compactMap(PLCopenDocument.expression)
        // xConnect falls for a cycle after an error, so the port is reopened (finding 6): the client's
        // own xError, negated and fed back; SysCom's enumeration values, fully qualified (finding 7).
        let connect = try #require(PLCopenDocument.source(of: "xConnect", in: meter, ids))
        #expect(connect.element === meter && connect.pin == "xError" && connect.negated)
        #expect(input("dwBaudrate") == "SysCom.SYS_COM_BAUDRATE.SYS_BR_19200")
        #expect(input("eParity") == "SysCom.SYS_COM_PARITY.SYS_EVENPARITY")
        #expect(input("eStopBits") == "SysCom.SYS_COM_STOPBITS.SYS_ONESTOPBIT")
        #expect(input("byDataBits") == "8")
        // No pin names one element (a connector may name an element it reads); no input expression is an array literal.
        let formals = lines.filter { $0.contains("<variable ") }.compactMap { Self.attribute("formalParameter", $0) }
        #expect(!formals.isEmpty && !formals.contains { $0.contains("[") }, "\(formals.filter { $0.contains("[") })")
        #expect(!expressions.contains { $0.hasPrefix("[") })
        // The elements reach CSVLogger through Pack_alrValues; the decimals initialise the instance.
        #expect(xml.contains("<pou name=\"Pack_alrValues\" pouType=\"functionBlock\">"))
        #expect(xml.contains("<value member=\"auiDecimals\">"))
        #expect(expressions.contains("readMain.awData[28]"))
    }

    @Test("the task section has the form Codesys exports: Device, Application, a task no template has, PT0.1S, task settings")
    func plcopenTaskSection() throws {
        let xml = try PLCCommand.run(["export", "plcopen", "programs/rx380_main"]).stdout
        let instances = try #require(xml.components(separatedBy: "<instances>").dropFirst().first)
        #expect(instances.contains("<configuration name=\"Device\">"))
        #expect(instances.contains("<resource name=\"Application\">"))
        // Codesys's Standard project already has a MainTask: the import must not meet it.
        #expect(instances.contains("<task interval=\"PT0.1S\" name=\"Task_rx380_main\" priority=\"1\">"))
        #expect(!instances.contains("MainTask"))
        #expect(instances.contains("<pouInstance name=\"rx380_main\" typeName=\"\">"))
        #expect(instances.contains("name=\"http://www.3s-software.com/plcopenxml/tasksettings\""))
        #expect(instances.contains("<TaskSettings Interval=\"t#100ms\" IntervalUnit=\"ms\" KindOfTask=\"Cyclic\" WithinSPSTimeSlicing=\"true\">"))
        #expect(instances.contains("<Watchdog Enabled=\"true\" Sensitivity=\"3\" Time=\"t#1000ms\" TimeUnit=\"ms\"/>"))
        #expect(!instances.contains("T#100ms"))
        // Another interval, another ISO form.
        let source = try String(contentsOf: PLCCommand.root.appendingPathComponent("programs/rx380_main/program.yaml"), encoding: .utf8)
        let dir = try PLCCommand.programFolder(source.replacingOccurrences(of: "interval: T#100ms", with: "interval: T#20ms"))
        #expect(try PLCCommand.run(["export", "plcopen", dir]).stdout.contains("<task interval=\"PT0.02S\""))
    }

    static func attribute(_ name: String, _ line: String) -> String? {
        guard let start = line.range(of: " \(name)=\"") else { return nil }
        let rest = line[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
