import ArgumentParser
import Foundation
import PLCExport
import PLCGraph

/// `plc export`: the Codesys side of a program: Structured Text, ST tests, PLCopen XML.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a program for Codesys: st (the PROGRAM), st-tests (ST tests from blocks/ vectors).",
        discussion: "Without --output the text goes to standard output."
    )

    @Argument(help: "What to export: st or st-tests.")
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
            files = STProgramExporter(try loading.compile(try loading.load(program))).files()
        default:
            throw fail("plc export: unknown format '\(format)' (st, st-tests)")
        }
        try write(files)
    }

    func write(_ files: [(name: String, text: String)]) throws {
        guard let output else {
            for file in files { emit(file.text) }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            for file in files {
                try file.text.write(toFile: (output as NSString).appendingPathComponent(file.name), atomically: true, encoding: .utf8)
            }
        } catch {
            throw fail("plc export: cannot write to \(output): \(error.localizedDescription)")
        }
        FileHandle.standardError.write(Data("plc export: wrote \(files.map(\.name).joined(separator: ", ")) to \(output)\n".utf8))
    }
}
