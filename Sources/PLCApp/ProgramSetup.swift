public import PLCCore
public import PLCGraph
import PLCModbus
import PLCMeters

/// A program made ready to run, the same way for every command (`check`, `run`, `bench`,
/// `bench-dashboard`, `export`, `run --twin`): compiled against the library, its meter blocks
/// given their model files, its constant inputs checked by their block types, its buses configured.
///
/// Nothing is started here: `RuntimeAssembly` starts what a set-up describes.
public struct ProgramSetup {
    /// Why a program cannot be set up; `description` is the one-line (or per-line) message.
    public typealias Failure = RuntimeAssembly.Failure

    public let file: ProgramFile
    public let library: BlockLibrary
    public let program: CompiledProgram
    /// The program's buses, configured but not started.
    public let modbus: ModbusIO
    /// The runtime settings, with the values the program declares filled in.
    public let settings: RuntimeSettings

    /// Compiles and checks `file`; throws every problem as `file:line: message` lines. `settings`
    /// are the runtime settings given on the command line or in a settings file.
    public init(file: ProgramFile, library: BlockLibrary, settings: RuntimeSettings = RuntimeSettings()) throws(Failure) {
        self.file = file
        self.library = library
        do throws(ProgramErrors) {
            program = try Self.compile(file, library: library)
            modbus = try ModbusIO(program: program, file: file)
        } catch {
            throw Failure(description: error.description)
        }
        self.settings = settings.resolved(with: program)
    }

    /// Another instance of the same program, compiled and configured as this one (benchmarks run
    /// several side by side).
    public func another() throws(Failure) -> CompiledProgram {
        do throws(ProgramErrors) {
            return try Self.compile(file, library: library)
        } catch {
            throw Failure(description: error.description)
        }
    }

    /// The meters this program reads, one line each (model, slave, bus), as `plc check` prints them.
    public var meterSummary: String { MeterSetup.summary(program) }

    /// The buses, one line each: name and settings, in name order.
    public var busSummary: [String] {
        modbus.workers.values.sorted { $0.name < $1.name }.map { "\($0.name): \($0.settings.summary)" }
    }

    private static func compile(_ file: ProgramFile, library: BlockLibrary) throws(ProgramErrors) -> CompiledProgram {
        let program = try ProgramCompiler.compile(file, library: library)
        try MeterSetup.configure(program, file: file, catalog: .standard(near: file.path))
        let silent = SilentSettings.check(file, program)
        if !silent.isEmpty { throw ProgramErrors(silent) }
        return program
    }
}
