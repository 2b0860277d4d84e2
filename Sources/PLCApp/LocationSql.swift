import PLCCore
import PLCGraph
import PLCSql

/// SQL for every location of a program that does not wire its own (it declares no `SqlConnection`
/// variable): one forwarder per energy row source (`EnergyRowSource`), reading that source's CSV
/// files as its outbox, with `location` = the location's name: exactly once, through the outbox.
///
/// The forwarders start after the first scan, when the row sources' folders (often computed,
/// `CsvFolder + '/Office'`) are wired in.
final class LocationSql {
    private let settings: RuntimeSettings
    /// The forwarders made so far, by their source block.
    private var forwarders: [(block: ObjectIdentifier, service: WorkerService<SqlForwarder>)] = []

    /// The sink for a program's row sources, or nil when `SqlConnection` is empty or the program
    /// wires its own. It has no forwarder until `add(from:)`.
    init?(program: CompiledProgram, settings: RuntimeSettings) {
        guard program.type(of: "SqlConnection") == nil, !settings["SqlConnection"].isEmpty else { return nil }
        self.settings = settings
    }

    /// One forwarder (not started) for each row source among `blocks` (nil: every block) that has
    /// none yet, named after its location: the folder's last component when there are several
    /// sources (`<CsvFolder>/<Location>`), else the program's one location; with its location and
    /// its source, whose rows nudge it (`Nudges`). Call after a scan of theirs: folders may be computed.
    func add(from program: CompiledProgram, blocks: Set<ObjectIdentifier>? = nil)
        -> [(location: String, source: any EnergyRowSource, service: WorkerService<SqlForwarder>)] {
        let sources = program.instances.compactMap { i in (i.block as? any EnergyRowSource).map { (instance: i.name, block: $0) } }
        let single = sources.count == 1 ? Self.onlyLocation(program) ?? program.name : nil
        let had = Set(forwarders.map(\.block))
        let new = sources.filter { source in
            let id = ObjectIdentifier(source.block as AnyObject)
            return !had.contains(id) && (blocks?.contains(id) ?? true)
        }
        return new.map { source in
            let files = source.block.rowFiles
            let location = single ?? files.folderLocation ?? source.instance
            let sql = SqlSettings(connection: settings["SqlConnection"], table: settings["SqlTable"],
                                  site: SiteName.resolve(settings["Site"]), location: location, folder: files.folder,
                                  prefix: files.prefix, valueColumns: files.columns)
            let service = WorkerService("sql \(location)", make: { SqlForwarder(sql) }, start: { $0.start() },
                                        stop: { $0.stop() }, hasEnded: { $0.hasEnded })
            forwarders.append((ObjectIdentifier(source.block as AnyObject), service))
            return (location, source.block, service)
        }
    }

    /// Lets go of the forwarders whose sources are in `blocks` (an online change removed them);
    /// returns them, for the caller to stop off the scan thread (a stop may wait on the server).
    func remove(blocks: Set<ObjectIdentifier>) -> [WorkerService<SqlForwarder>] {
        let gone = forwarders.filter { blocks.contains($0.block) }.map(\.service)
        forwarders.removeAll { blocks.contains($0.block) }
        return gone
    }

    /// Scan thread: wakes a forwarder when its source has written a row, so that rows reach the
    /// server as soon as they are on disk, as a program's own SqlLogger does (its `xExecute`).
    struct Nudges {
        private var watched: [(source: any EnergyRowSource, service: WorkerService<SqlForwarder>, written: UInt32)] = []

        mutating func add(_ source: any EnergyRowSource, _ service: WorkerService<SqlForwarder>) {
            watched.append((source, service, source.rowsWritten))
        }

        mutating func remove(_ services: [WorkerService<SqlForwarder>]) {
            watched.removeAll { w in services.contains { $0 === w.service } }
        }

        mutating func afterScan() {
            for i in watched.indices {
                let written = watched[i].source.rowsWritten
                guard written != watched[i].written else { continue }
                watched[i].written = written
                watched[i].service.worker?.nudge()
            }
        }
    }

    /// The name of the program's one location source, if it has exactly one.
    private static func onlyLocation(_ program: CompiledProgram) -> String? {
        let named = program.instances.compactMap { i -> String? in
            guard let type = type(of: i.block) as? any LocationSource.Type else { return nil }
            let name = type.locationNamePin.flatMap { i.block.value(of: $0)?.string } ?? ""
            return name.isEmpty ? i.name : name
        }
        return named.count == 1 ? named[0] : nil
    }
}
