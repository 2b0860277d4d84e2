#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PLCCore
import PLCGraph
import PLCApp
import PLCRuntime

/// An online change of a running `plc run`: reads the program folder again (with the run's `--set`
/// and `--settings`) and hands it to the runtime, which sets it up off the scan thread and swaps it
/// in between two scans. `POST /api/reload` (an engineer) and SIGUSR2 both come here; one at a time.
final class OnlineReloader: @unchecked Sendable {
    private let runtime: RuntimeAssembly
    private let location: String
    private let sets: [String]
    private let settingsFile: String?
    private let library: BlockLibrary

    init(runtime: RuntimeAssembly, location: String, sets: [String], settingsFile: String?, library: BlockLibrary) {
        self.runtime = runtime
        self.location = location
        self.sets = sets
        self.settingsFile = settingsFile
        self.library = library
    }

    /// Loads the edited program for `who` (audit name): the summary line, or the refusal with `file:line`.
    func reload(by who: String) -> (applied: Bool, message: String) {
        var file: ProgramFile
        var settings = RuntimeSettings()
        do {
            file = try ProgramLoader.load(location, enums: library.enumerations)
            try settings.apply(settingsFile: settingsFile, sets: sets, to: &file)
        } catch {
            let text = "\(error)"
            runtime.program.online.submit(.note("online change refused: \(text.split(separator: "\n").first ?? "")"), by: who)
            note("\(runtime.file.name): online change refused:\n\(text)")
            return (false, text)
        }
        do {
            return (true, try runtime.change(to: file, settings: settings, by: who))
        } catch {
            return (false, error.description)
        }
    }
}

extension RetainSetup {
    /// After an online change: the retain store follows the program's new variables and blocks.
    /// The old store writes its last image; the new one starts from the values running now (a
    /// change restores nothing from disk). nil when the new version retains nothing.
    static func follow(_ program: CompiledProgram, file: ProgramFile, replacing old: RetainStore?, now: Int64) throws -> RetainStore? {
        old?.stop(now: now)
        let set = RetainSet(program)
        guard !set.isEmpty else { return nil }
        // The version before may have retained nothing: its store never made the folder.
        try? FileManager.default.createDirectory(atPath: folder(file), withIntermediateDirectories: true)
        let store = RetainStore(set: set, folder: folder(file), program: file.name, interval: try interval(file), note: { note($0) })
        store.start()
        return store
    }
}
