public import PLCCore
public import PLCGraph
public import PLCModbus
public import PLCRuntime
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Copies a running program's state into a `RuntimeSnapshot`, on the scan thread, between scans.
///
/// It reads the program through `CompiledProgram`'s public monitoring API only (`variables`,
/// `instances`, `value(of:)`, `type(of:)`): names are resolved once here, values are copied as
/// `IECValue`s, and all text formatting is left to the HTTP side.
public final class SnapshotBuilder {
    /// A location source (a Display, a meter reader): its pins give one location's values.
    struct View {
        let instance: String
        /// The pin naming the location (`sTitle`, a reader's `sLocation`).
        let title: String?
        /// The pin saying why the values are not good (`sStatus`, a reader's `sError`).
        let status: String
    }

    private let program: CompiledProgram
    private let workers: [BusWorker]
    private let site: String
    private let intervalMs: Int64
    private let watchdogMs: Int64
    /// (instance name, type name, pin declarations, their paths); the program's variables first, as instance "".
    private let tables: [(name: String, type: String, decls: [VarDecl], paths: [String])]
    /// The RETAIN and PERSISTENT variables and pins, by path.
    private let retained: [String: RetainClass]
    private let views: [View]
    private let loggers: [String]
    private let eventLogs: [String]
    /// Age (ms) beyond which good data are called stale.
    private let staleAfterMs: Int64
    /// The last good values of each view, shown (as stale) while the source fails.
    private var lastGood: [String: [Double]] = [:]

    /// A builder for `program`, reading counters from `workers`; `settings` default to the ones the program declares.
    public init(program: CompiledProgram, task: ProgramFile.Task, workers: [BusWorker], settings: DashboardSettings? = nil) {
        self.program = program
        self.workers = workers.sorted { $0.name < $1.name }
        intervalMs = task.interval
        watchdogMs = task.watchdog
        let settings = settings ?? DashboardSettings(program: program)
        var tables = [(name: "", type: "PROGRAM", decls: program.variables.decls, paths: program.variables.decls.map(\.name))]
        var loggers: [String] = [], eventLogs: [String] = []
        for instance in program.instances {
            let decls = Self.interface(of: instance.block)
            tables.append((instance.name, Self.typeName(of: instance.block), decls, decls.map { "\(instance.name).\($0.name)" }))
            if instance.block is any EnergyRowSource { loggers.append(instance.name) }
            if instance.block is any EventLogSource { eventLogs.append(instance.name) }
        }
        self.tables = tables
        retained = Self.retained(program)
        // The best-ranked sources say what a program shows: Display blocks hide the meter readers.
        views = program.bestLocationSources.map { source in
            View(instance: source.instance.name, title: source.type.locationNamePin.map { "\(source.instance.name).\($0)" },
                 status: source.type.locationStatusPin)
        }
        self.loggers = loggers
        self.eventLogs = eventLogs
        staleAfterMs = settings.staleAfterMs
        site = settings.site
    }

    /// Program variables and instances marked `retain:`/`persistent:`, and what ST blocks declare `VAR RETAIN`.
    private static func retained(_ program: CompiledProgram) -> [String: RetainClass] {
        var marks: [String: RetainClass] = [:]
        for variable in program.file.variables { marks[variable.decl.name] = variable.retain }
        let whole = Dictionary(program.file.instances.compactMap { i in i.retain.map { (i.name, $0) } }) { a, _ in a }
        for instance in program.instances {
            if let retain = whole[instance.name] {
                for decl in interface(of: instance.block) { marks["\(instance.name).\(decl.name)"] = retain }
            } else if let declaring = instance.block as? any RetainDeclaring {
                for d in declaring.declaredRetain(everything: nil) { marks["\(instance.name).\(d.name)"] = d.retain }
            }
        }
        return marks
    }

    // The block type's declared interface: the one place this file depends on FunctionBlock.
    private static func interface(of block: any FunctionBlock) -> [VarDecl] {
        type(of: block).interface.decls
    }

    private static func typeName(of block: any FunctionBlock) -> String {
        type(of: block).interface.name
    }

    /// A snapshot of the program now, with the task's `statistics`.
    public func build(statistics: CycleStatistics, now: Int64 = MonotonicTime.nanoseconds()) -> RuntimeSnapshot {
        var snapshot = RuntimeSnapshot(program: program.name, site: site)
        snapshot.monotonic = now
        snapshot.wallClock = Date().timeIntervalSince1970
        snapshot.cycle = figures(statistics)
        snapshot.locations = views.map(reading)
        snapshot.buses = workers.map { BusReading(name: $0.name, summary: $0.settings.summary, devices: $0.deviceCounters) }
        snapshot.logFiles = Array(Set(eventLogs.compactMap { logFile(of: $0) }.filter { !$0.isEmpty })).sorted()
        snapshot.energySources = energySources(locations: snapshot.locations)
        let forces = program.forces
        snapshot.forced = forces.isEmpty ? [] : program.forcedList
        snapshot.instances = tables.map { table in
            InstanceReading(name: table.name, type: table.type, pins: zip(table.decls, table.paths).map { decl, path in
                PinReading(name: decl.name, scope: decl.scope, type: decl.type,
                           value: program.value(of: path) ?? decl.initial, comment: decl.comment,
                           forced: !forces.isEmpty && forces[path] != nil,
                           writable: table.name.isEmpty && program.isOnlineWritable(path), retain: retained[path])
            })
        }
        return snapshot
    }

    private func figures(_ s: CycleStatistics) -> CycleFigures {
        var f = CycleFigures()
        f.cycles = s.cycles
        f.intervalMs = intervalMs
        f.watchdogMs = watchdogMs
        f.last = s.last
        f.min = s.cycles == 0 ? 0 : s.min
        f.max = s.max
        f.average = s.average
        f.total = s.total
        f.lastJitter = s.lastJitter
        f.maxJitter = s.maxJitter
        f.jitterPercentiles = [0.5, 0.9, 0.99, 0.999].map { ($0, s.jitterPercentile($0)) }
        f.overruns = s.overruns
        f.skipped = s.skipped
        f.watchdogTrips = s.watchdogTrips
        return f
    }

    private func reading(_ view: View) -> LocationReading {
        func pin(_ name: String) -> IECValue? { program.value(of: "\(view.instance).\(name)") }
        let title = view.title.flatMap { program.value(of: $0)?.string } ?? ""
        let names = split(pin("sColumns")?.string ?? "")
        let units = pin("sUnits")?.string.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingSpaces() } ?? []
        let valid = pin("xValid")?.bool ?? false
        let status = pin(view.status)?.string ?? ""
        let age = pin("tAge")?.time ?? 0
        let values = pin("alrValues").map(reals) ?? []
        let decimals = pin("auiDecimals").map(reals) ?? []
        let columnValid = pin("axValid").map { v -> [Bool] in
            guard case .array(let items) = v else { return [] }
            return items.map(\.bool)
        } ?? []
        if valid { lastGood[view.instance] = values }
        let good = lastGood[view.instance]
        let quantities = names.enumerated().map { i, name -> QuantityReading in
            let d = i < decimals.count ? Int(decimals[i]) : 3
            let unit = i < units.count ? units[i] : ""
            let ok = i < columnValid.count ? columnValid[i] : true
            if valid {
                let v = i < values.count ? values[i] : .nan
                let usable = ok && v.isFinite
                return QuantityReading(name: name, unit: unit, value: usable ? rounded(v, decimals: d) : nil,
                                       decimals: d, quality: usable ? .ok : .bad)
            }
            if let good, i < good.count, good[i].isFinite {
                return QuantityReading(name: name, unit: unit, value: rounded(good[i], decimals: d), decimals: d, quality: .stale)
            }
            return QuantityReading(name: name, unit: unit, value: nil, decimals: d, quality: .none)
        }
        let state: DataState = !valid ? .error : age > staleAfterMs ? .stale : .ok
        let error = valid ? "" : (status.isEmpty ? "no reply yet" : status)
        return LocationReading(name: title.isEmpty ? view.instance : title, instance: view.instance, state: state,
                               error: error, ageMs: age, values: quantities)
    }

    /// Each energy row source with an energy column is a location's energy source; with one location, it is that
    /// one's; with several, each is named by its folder (`<CsvFolder>/<Location>`), as SQL rows and `plc report` name it.
    private func energySources(locations: [LocationReading]) -> [EnergySource] {
        loggers.compactMap { logger in
            guard let files = (block(logger) as? any EnergyRowSource)?.rowFiles, let column = files.energyColumn else { return nil }
            let name = locations.count == 1 && loggers.count == 1 ? locations[0].name : files.folderLocation ?? logger
            return EnergySource(location: name, folder: files.folder, prefix: files.prefix, column: column)
        }
    }

    /// The locations' instances and title pins, for the trend rings.
    var trendLocations: [(instance: String, title: String?)] { views.map { ($0.instance, $0.title) } }

    private func logFile(of instance: String) -> String? {
        (block(instance) as? any EventLogSource)?.logFile
    }

    private func block(_ instance: String) -> (any FunctionBlock)? {
        program.instances.first { $0.name == instance }?.block
    }

    private func split(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }

    private func reals(_ value: IECValue) -> [Double] {
        guard case .array(let items) = value else { return [] }
        return items.map(\.real)
    }
}
