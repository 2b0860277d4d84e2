import ArgumentParser
import PLCApp
import PLCCore
import PLCGraph

/// The program folder and `--set` overrides that `check`, `run` and `bench` share.
struct ProgramArguments: ParsableArguments {
    @Argument(help: "Program folder (holding program.yaml) or program file.")
    var program: String

    @Option(name: .customLong("set"), help: "Override a variable's initial value or a bus setting: NAME=VALUE.")
    var sets: [String] = []
}

/// Loads, overrides and compiles a program folder; every failure is a `file:line: message` exit.
struct ProgramLoading {
    let library: BlockLibrary

    /// The program file at `location` with `--set` overrides applied, or an exit with every problem listed.
    func load(_ location: String, sets: [String] = []) throws -> ProgramFile {
        var file: ProgramFile
        do {
            file = try ProgramLoader.load(location, enums: library.enumerations)
        } catch {
            throw fail(error)
        }
        for argument in sets {
            do {
                try file.apply(set: argument)
            } catch {
                throw fail(error)
            }
        }
        return file
    }

    /// `file` compiled against the library, or an exit with every problem listed.
    func compile(_ file: ProgramFile) throws -> CompiledProgram {
        do {
            return try ProgramCompiler.compile(file, library: library)
        } catch {
            throw fail(error)
        }
    }
}
