import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCExport
import PLCApp
import PLCBlocks
import PLCCore
import PLCGraph
import PLCMeters
import PLCStructuredText

/// `plc export`: the Codesys side of a program: Structured Text, ST tests, PLCopen XML.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export for Codesys: st (the PROGRAM), st-tests (ST tests from blocks/ vectors), plcopen (PLCopen XML).",
        discussion: "Without --output the text goes to standard output."
    )

    @Argument(help: "What to export: st, st-tests or plcopen.")
    var format: String

    @Argument(help: "Program folder (for st).")
    var program: String?

    @Option(help: "Folder to write the .st files into.")
    var output: String?

    func run() throws {
        let files: [(name: String, text: String)]
        switch format {
        case "st":
            guard let program else { throw fail("plc export st: name a program folder") }
            let loading = ProgramLoading(library: .all)
            files = try stProgram(try loading.setup(try loading.load(program)).program, library: loading.library)
        case "st-tests":
            files = try stTests()
        case "plcopen":
            guard let program else { throw fail("plc export plcopen: name a program folder") }
            let loading = ProgramLoading(library: .all)
            let compiled = try loading.setup(try loading.load(program)).program
            // FBD blocks go in as CFC function blocks (their own networks), the program as written.
            let unflattened: STFunctionBlockExporter.Unflattened?
            do { unflattened = try STFunctionBlockExporter.unflattened(compiled, library: loading.library) } catch { throw fail(error) }
            // The meter table the program's MeterReads read, in place of st-reference's example.
            var sources = try stSources()
            let models = try meterModels(compiled)
            if !models.isEmpty, let table = STSource(STMeterTwin.source(models), name: STMeterTwin.gvlName) {
                sources = sources.filter { $0.name != STMeterTwin.gvlName } + [table]
            }
            let exporter = PLCopenExporter(unflattened?.program ?? compiled, sources: sources,
                                           functionBlocks: unflattened?.functionBlocks ?? [], libraries: Self.plcopenLibraries,
                                           busUsers: unflattened?.busUsers ?? [])
            files = [(compiled.name + ".xml", exporter.xml())]
        default:
            throw fail("plc export: unknown format '\(format)' (st, st-tests, plcopen)")
        }
        try write(files)
    }

    /// The libraries the twins use, at the versions their declarations follow (LibraryInterfaces.swift).
    static var plcopenLibraries: [PLCopenExporter.Library] {
        ([LibraryInterface.standard] + LibraryInterface.all).map {
            PLCopenExporter.Library(name: $0.name, version: $0.version, company: $0.company,
                                    namespace: $0.namespace ?? $0.name.replacingEvery(" ", with: "_"))
        }
    }

    /// The PROGRAM, its GVL, the FBD function blocks it uses (as FUNCTION_BLOCKs) and, when it reads
    /// meters, `GVL_MeterModels` with their models for the generic MeterRead; exit 2 when a block
    /// has no ST form (no twin in st-reference/, not an FBD block of the export, no library mapping).
    func stProgram(_ compiled: CompiledProgram, library: BlockLibrary) throws -> [(name: String, text: String)] {
        let models = try meterModels(compiled)
        // A program using FBD function blocks: each FB as a FUNCTION_BLOCK, then the program as written.
        let unflattened: STFunctionBlockExporter.Unflattened?
        do { unflattened = try STFunctionBlockExporter.unflattened(compiled, library: library) } catch { throw fail(error) }
        var files = unflattened?.files() ?? STProgramExporter(compiled).files()
        let exporters = unflattened.map { $0.networkExporters() + [$0.programExporter()] } ?? [STProgramExporter(compiled)]
        let declared = Set(((try? stSources()) ?? []).map { $0.name.uppercased() })
            .union(unflattened?.functionBlocks.map { $0.definition.name.uppercased() } ?? [])
        for exporter in exporters {
            guard let missing = exporter.missingTwin(twins: declared) else { continue }
            throw fail("plc export st: \(exporter.path): block '\(missing.instance)' of type '\(missing.type)' has no "
                       + "Structured Text twin in \(stReference) and no library mapping")
        }
        if !models.isEmpty { files.append((STMeterTwin.gvlName + ".st", STMeterTwin.source(models))) }
        return files
    }

    /// The meter models the program's MeterReads read, one per model, for `GVL_MeterModels`.
    func meterModels(_ compiled: CompiledProgram) throws -> [STMeterModel] {
        do {
            try MeterSetup.configure(compiled, file: compiled.file, catalog: .standard(near: compiled.file.path))
        } catch {
            throw fail(error)
        }
        // The flattened program knows each MeterRead's model, also inside an FBD block.
        var models: [String: STMeterModel] = [:]
        for instance in compiled.instances {
            guard let meter = instance.block as? MeterRead, let model = meter.model, models[model.name] == nil else { continue }
            models[model.name] = try Self.meterTwin(model, instance: instance.name)
        }
        return Array(models.values)
    }

    /// A meter model as the ST generator takes it; a value format that is not one of Scale's
    /// `E_RegFormat` values (today every meter format is, INT64 and UINT64 included), or a model that
    /// does not fit MeterRead's table, is an error.
    static func meterTwin(_ model: MeterModel, instance: String) throws -> STMeterModel {
        let groups = model.groups
        let columns = try MeterModel.columns.map { name -> STMeterModel.Column? in
            guard let v = model.value(named: name), v.poll,
                  let g = groups.firstIndex(where: { $0.function == v.function && $0.registers.contains(v.registers.lowerBound) })
            else { return nil }
            guard RegisterFormat.format.cases.contains(v.format.rawValue) else {
                throw fail("plc export st: \(model.path): \(v.name) is \(v.format.rawValue), which Scale's E_RegFormat does not have "
                           + "(meter '\(instance)')")
            }
            return STMeterModel.Column(group: g, offset: v.address - groups[g].address, format: v.format.rawValue,
                                       order: v.order.rawValue, factor: v.factor, decimals: v.decimals, unit: v.unit)
        }
        let twin = STMeterModel(name: model.name, source: "meters/\(model.name).yaml",
                                groups: groups.map { STMeterModel.Group(function: $0.function, address: $0.address, count: $0.count) },
                                columnNames: MeterModel.columns, columns: columns)
        if let problem = STMeterTwin.problem(twin) {
            throw fail("plc export st: \(model.path): \(problem) (meter '\(instance)')")
        }
        return twin
    }

    @Option(help: "The st-reference/ folder whose POUs go into the PLCopen project.")
    var stReference = "st-reference"

    /// The POUs of st-reference/ (not its tests).
    func stSources() throws -> [STSource] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: stReference)) ?? []).sorted()
        guard !names.isEmpty else { throw fail("plc export plcopen: no .st files in \(stReference)") }
        return names.filter { $0.hasSuffix(".st") }.compactMap { name in
            (try? String(contentsOfFile: stReference.pathAppending(name), encoding: .utf8))
                .flatMap { STSource($0, name: name.pathDeletingExtension) }
        }
    }

    @Option(help: "The blocks/ folder the st-tests vectors come from.")
    var blocks = "blocks"

    /// One ST test suite per vector file of every block that has an ST equivalent without I/O.
    func stTests() throws -> [(name: String, text: String)] {
        let library = BlockLibrary.all
        let exporter = STTestExporter()
        var files: [(name: String, text: String)] = []
        let types = (try? FileManager.default.contentsOfDirectory(atPath: blocks))?.sorted() ?? []
        guard !types.isEmpty else { throw fail("plc export st-tests: no block folders in \(blocks)") }
        for typeName in types {
            guard let type = library.type(named: typeName) else { continue }
            // I/O blocks' vectors pin the Swift handshake without a device; Codesys has no such mode.
            if type.init() is any IOBlock { continue }
            // AND and OR are operators, CONCAT a function in ST: nothing to instantiate.
            if !type.stMapping.hasInstance { continue }
            let dir = blocks.pathAppending("\(typeName)/vectors")
            for file in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() where file.hasSuffix(".csv") {
                let path = dir.pathAppending(file)
                let vectors: VectorFile
                do {
                    vectors = try VectorFile.load(path, for: type.interface)
                } catch {
                    throw fail(error)
                }
                let stem = file.pathDeletingExtension
                let suite = exporter.suite(for: type.interface, realTime: type is any CodesysClockBlock.Type, vectors: vectors,
                                           stem: stem, source: "blocks/\(typeName)/vectors/\(file)")
                files.append((suite.name + ".st", suite.text))
            }
        }
        // The CSV cell rule, pinned by blocks/CSVLogger/cell_format.csv, on F_FormatValue.
        let cells = blocks.pathAppending("CSVLogger/cell_format.csv")
        if let text = try? String(contentsOfFile: cells, encoding: .utf8) {
            let cases = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap {
                n, line -> (line: Int, value: Double, decimals: Int, text: String)? in
                let parts = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3, let value = Double(parts[0]), let decimals = Int(parts[1]) else { return nil }
                return (n + 1, value, decimals, parts[2])
            }
            let suite = exporter.formatSuite(cases, source: "blocks/CSVLogger/cell_format.csv")
            files.append((suite.name + ".st", suite.text))
        }
        let log = exporter.testLog()
        let suites = files.map { String($0.name.dropLast(3)) }
        files.append((log.name + ".st", log.text))
        // One runner PROGRAM for every suite, its totals in GVL_TestResult.
        for part in exporter.runner(suites) { files.append((part.name + ".st", part.text)) }
        return files
    }

    func write(_ files: [(name: String, text: String)]) throws {
        guard let output else {
            for file in files { emit(file.text) }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            for file in files {
                try file.text.write(toFile: output.pathAppending(file.name), atomically: true, encoding: .utf8)
            }
        } catch {
            throw fail("plc export: cannot write to \(output): \(error.plainDescription)")
        }
        note("plc export: wrote \(files.map(\.name).joined(separator: ", ")) to \(output)")
    }
}
