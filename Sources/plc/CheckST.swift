import ArgumentParser
import PLCStructuredText

/// `plc check-st`: parse and check every `.st` file of a folder with Codesys's rules.
struct CheckST: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-st",
        abstract: "Check every .st file of a folder: syntax, names, types, calls (Codesys rules).",
        discussion: "Exit status: 0 clean, 2 with every error printed as file:line:col: message."
    )

    @Argument(help: "Folder of .st files, e.g. st-reference.")
    var folder: String

    func run() throws {
        do {
            let files = try STLibrary.sourceFiles(in: folder)
            _ = try STLibrary.load(folder: folder)
            emit("ok \(folder): \(files.count) files\n")
        } catch {
            throw fail(error.description)
        }
    }
}
