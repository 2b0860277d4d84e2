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

    /// `plc check`'s list of RETAIN and PERSISTENT variables and blocks (empty when there is none).
    static func marks(_ file: ProgramFile) -> String {
        let rows = file.variables.compactMap { v in v.retain.map { (v.decl.name, "\(v.decl.type.name) variable", $0) } }
            + file.instances.compactMap { i in i.retain.map { (i.name, "\(i.type) block", $0) } }
        guard !rows.isEmpty else { return "" }
        let width = rows.map(\.0.count).max() ?? 0
        return "\nRetained (RETAIN: kept over a restart; PERSISTENT: also over a program change)\n"
            + rows.map { "  \($0.0.paddingSpaces(toLength: width))  \($0.2.rawValue.paddingSpaces(toLength: 10))  \($0.1)\n" }.joined()
    }

    /// The store of `set`, restored as `reset` says and running; nil when the program retains nothing
    /// (an origin reset still deletes the images).
    static func start(_ set: RetainSet, file: ProgramFile, reset: ResetLevel?, program: String? = nil) throws -> RetainStore? {
        try start([set], file: file, reset: reset, program: program)
    }

    /// `start` for a program with several tasks: one set per task, one store, one image.
    static func start(_ sets: [RetainSet], file: ProgramFile, reset: ResetLevel?, program: String? = nil) throws -> RetainStore? {
        let store = RetainStore(sets: sets, folder: folder(file), program: program ?? file.name, interval: try interval(file),
                                note: { note($0) })
        let empty = sets.allSatisfy(\.isEmpty)
        guard !empty || reset == .origin else { return nil }
        store.restore(reset ?? .warm)
        guard !empty else { return nil }
        let retained = Set(sets.flatMap { $0.items.map(\.owner) }).count
        note("\(file.name): \(retained) retained variables and blocks, saved in \(store.folder)")
        store.start()
        return store
    }
}
