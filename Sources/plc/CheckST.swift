import ArgumentParser
import PLCStructuredText

/// `plc check-st`: parse and check every `.st` file of a folder with Codesys's rules.
struct CheckST: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-st",
        abstract: "Check every .st file of a folder: syntax, names, types, calls (Codesys rules).",
        discussion: "Exit status: 0 clean, 2 with every error or warning printed as file:line:col: message."
    )

    @Argument(help: "Folder of .st files, e.g. st-reference.")
    var folder: String

    @Flag(help: "Also print the variable table of every FUNCTION_BLOCK.")
    var describe = false

    func run() throws {
        let library: STLibrary
        let files: [String]
        do {
            files = try STLibrary.sourceFiles(in: folder)
            library = try STLibrary.load(folder: folder)
        } catch {
            throw fail(error.description)
        }
        if !library.warnings.isEmpty {
            throw fail(library.warnings.map(\.description).joined(separator: "\n"))
        }
        emit("ok \(folder): \(files.count) files\n")
        if describe {
            for name in library.functionBlockNames {
                guard let type = library.functionBlock(name) else { continue }
                emit("\nFUNCTION_BLOCK \(type.name)\n\(type.interface.formatted())\n")
            }
        }
    }
}
