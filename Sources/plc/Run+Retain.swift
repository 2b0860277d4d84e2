public import ArgumentParser
import PLCCore
import PLCGraph
import PLCRuntime

extension ResetLevel: ExpressibleByArgument {}

/// The retain store of `plc run` and `plc run --twin`: where it lives, how often it writes, what a start restores.
enum RetainSetup {
    /// `--set StateFolder=DIR`, else a `state` folder beside the CSV folder (`CsvFolder`), else `./state`.
    static func folder(_ file: ProgramFile) -> String {
        if let folder = file.runtimeSetting("StateFolder"), !folder.isEmpty { return folder }
        guard let csv = file.runtimeSetting("CsvFolder"), !csv.isEmpty else { return "state" }
        let parent = csv.hasSuffix("/") ? String(csv.dropLast()).pathDeletingLastComponent : csv.pathDeletingLastComponent
        return parent.isEmpty ? "state" : parent.pathAppending("state")
    }

    /// `--set RetainInterval=T#...` (or a program variable of that name) in ms; T#1s by default.
    static func interval(_ file: ProgramFile) throws -> Int64 {
        guard let text = file.runtimeSetting("RetainInterval") else { return 1000 }
        let ms: Int64
        do {
            ms = try IECLiteral.parseTime(text)
        } catch {
            throw fail("RetainInterval=\(text): \(error.message)")
        }
        guard ms >= 0 else { throw fail("RetainInterval=\(text): must not be negative") }
        return ms
    }

    /// The store of `set`, restored as `reset` says and running; nil when the program retains nothing
    /// (an origin reset still deletes the images).
    static func start(_ set: RetainSet, file: ProgramFile, reset: ResetLevel?) throws -> RetainStore? {
        let store = RetainStore(set: set, folder: folder(file), program: file.name, interval: try interval(file),
                                note: { note($0) })
        guard !set.isEmpty || reset == .origin else { return nil }
        store.restore(reset ?? .warm)
        guard !set.isEmpty else { return nil }
        let retained = Set(set.items.map(\.owner)).count
        note("\(file.name): \(retained) retained variables and blocks, saved in \(store.folder)")
        store.start()
        return store
    }
}
