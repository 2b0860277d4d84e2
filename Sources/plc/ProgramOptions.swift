import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCApp
import PLCCore
import PLCGraph
import PLCStructuredText

/// The program folder and `--set` overrides that `check`, `run` and `bench` share.
struct ProgramArguments: ParsableArguments {
    @Argument(help: "Program folder (holding program.yaml) or program file.")
    var program: String

    @Option(name: .customLong("set"), help: "Override a variable's initial value, a bus setting or a runtime setting (HttpListen, Site, SqlConnection, MqttBroker, ...): NAME=VALUE.")
    var sets: [String] = []

    @Option(help: "A YAML file of NAME: value lines, applied before --set (runtime settings, variables).")
    var settings: String?
}

/// Loads, overrides and compiles a program folder; every failure is a `file:line: message` exit.
///
/// The library is the runtime's blocks plus every ST `FUNCTION_BLOCK` in the `.st` files of the
/// program's folder, which the program instantiates like any other block type.
final class ProgramLoading {
    private(set) var library: BlockLibrary
    /// The runtime settings the last `load` read from `--settings` and `--set`.
    private(set) var settings = RuntimeSettings()

    init(library: BlockLibrary) {
        self.library = library
    }

    /// The program file at `location` with `--set` overrides applied, or an exit with every problem listed.
    func load(_ location: String, sets: [String] = [], settingsFile: String? = nil) throws -> ProgramFile {
        try addSTBlocks(near: location)
        var file: ProgramFile
        do {
            file = try ProgramLoader.load(location, enums: library.enumerations)
        } catch {
            throw fail(error)
        }
        var settings = RuntimeSettings()
        do {
            try settings.apply(settingsFile: settingsFile, sets: sets, to: &file)
        } catch {
            throw fail(error)
        }
        self.settings = settings
        return file
    }

    /// `file` set up as every command sets it up (`ProgramSetup`), or an exit with every problem listed.
    func setup(_ file: ProgramFile) throws -> ProgramSetup {
        do {
            return try ProgramSetup(file: file, library: library, settings: settings)
        } catch {
            throw fail(error)
        }
    }

    /// Adds the function blocks of the `.st` files beside the program (none: nothing to add).
    private func addSTBlocks(near location: String) throws {
        var isFolder = false
        guard FileManager.default.fileExists(atPath: location, isDirectory: &isFolder) else { return }
        let folder = isFolder ? location : location.pathDeletingLastComponent
        guard let files = try? STLibrary.sourceFiles(in: folder.isEmpty ? "." : folder), !files.isEmpty else { return }
        do {
            let st = try STLibrary.load(folder: folder.isEmpty ? "." : folder)
            for name in st.functionBlockNames {
                if let type = st.functionBlock(name) { library.add(BlockType(st: type)) }
            }
        } catch {
            throw fail(error)
        }
    }
}
