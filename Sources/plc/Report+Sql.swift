import ArgumentParser
import PLCBlocks
import PLCCore
import PLCReport
import PLCSql
import PLCStorage
import Dispatch
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `plc report --sql`: the report computed inside the database from the sink's table.
enum SqlReport {
    /// Connections that run the per-location statements side by side.
    static let connections = 2

    /// The statement for `query` over `table`, rows of `sites` and `locations` (empty: all), in slots
    /// of `slotSeconds` (the report's half hours, or a tariff's demand window).
    static func statement(table: String, sites: [String], locations: [String], query: ReportQuery,
                          slotSeconds: Int64 = LocationEnergy.slotSeconds) -> EnergySql {
        EnergySql(table: table, sites: sites, locations: locations,
                  from: query.from.map { Int64($0) * 86_400 }, to: query.to.map { Int64($0 + 1) * 86_400 },
                  binSlots: query.by == .hour ? 2 : 48, sourceSlots: query.by.slotCount, maxPower: query.maxPower,
                  slotSeconds: slotSeconds)
    }

    /// What a run gives: the report, or each location's energy when `energies` was asked for.
    struct Result {
        var report: EnergyReport
        var energies: [LocationEnergy]
        /// Wall time of the statements, and the sum of their own times (s).
        var databaseSeconds: Double
        var statementSeconds: Double
        var statements: Int
        var replayed: [String]
        var dialect: SqlDialect
        var cache = CacheUse()
    }

    /// What the slot cache did in a run.
    struct CacheUse: Sendable {
        /// Location-months read from the cache, computed (and written when whole and past), and
        /// locations computed over the whole range instead (not separable into months, or replayed).
        var hits = 0, computed = 0, whole = 0
        /// Wall time (s) of creating the table and reading the fingerprints.
        var seconds = 0.0
        /// Why the cache could not be created or written (one line), or nil.
        var problem: String?
        /// Whether the cache was used at all.
        var used = false

        mutating func add(_ other: CacheUse) {
            hits += other.hits
            computed += other.computed
            whole += other.whole
            seconds += other.seconds
            problem = problem ?? other.problem
            used = used || other.used
        }
    }

    /// The slot cache of a run: its statements, the fingerprints of the rows per location and day, and the last month to store.
    private struct Cache: Sendable {
        let sql: EnergySqlCache
        /// Per `site\u{0}location`, the fingerprint rows per local day.
        let days: [String: [Int64: DayPrint]]
        /// Months ending after this local day are computed but not stored (rows may still arrive).
        let storeBefore: Int64
    }

    /// One location's outcome.
    private enum Outcome: Sendable {
        case none
        case part(EnergyReport)
        case energy(LocationEnergy)
    }

    /// What the workers share.
    private struct Shared: Sendable {
        var next = 0
        var outcomes: [Outcome]
        var replayed: [Int] = []
        var seconds = 0.0
        var error: String?
        var cache = CacheUse()
    }

    /// Runs the report over ODBC `connection`: the location list, then one statement per location
    /// on `connections` connections side by side, each location folded as its rows arrive. With
    /// `energies`, keeps each location's slots (for cost and insight) instead of only its figures.
    /// With `slotSeconds` other than the half hour (a demand window), only the energies count: the
    /// report is left empty.
    static func run(connection: String, table: String, sites: [String], locations: [String],
                    query: ReportQuery, energies keep: Bool = false,
                    slotSeconds: Int64 = LocationEnergy.slotSeconds, cache useCache: Bool = false) throws -> Result {
        let sql = statement(table: table, sites: sites, locations: locations, query: query, slotSeconds: slotSeconds)
        let (odbc, dialect) = try connect(connection)
        let pairs: [(site: String, location: String)]
        do {
            pairs = try odbc.prepare(sql.locationsStatement(dialect), parameters: [], operation: "report").query().compactMap { row in
                guard row.count >= 2, let site = row[0], let location = row[1] else { return nil }
                return (site, location)
            }
        } catch {
            throw ReportError("plc report: --sql: \(error.description)")
        }
        let start = MonotonicTime.nanoseconds()
        var use = CacheUse()
        let cache = useCache ? try openCache(odbc, dialect, sql, use: &use) : nil
        use.seconds = Double(MonotonicTime.nanoseconds() - start) / 1e9
        let shared = Mutex(Shared(outcomes: Array(repeating: .none, count: pairs.count), cache: use))
        let writes = Mutex(())
        let workers = max(1, min(connections, pairs.count))
        // The first worker uses the connection already open; the others open their own.
        nonisolated(unsafe) let first = odbc
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let own: ODBCConnection
            if worker == 0 {
                own = first
            } else {
                do {
                    own = try ODBCConnection(connection, queryTimeout: 3600)
                } catch {
                    shared.withLock { $0.error = $0.error ?? "plc report: --sql: \(error)" }
                    return
                }
            }
            while true {
                let index: Int? = shared.withLock { state in
                    guard state.error == nil, state.next < pairs.count else { return nil }
                    state.next += 1
                    return state.next - 1
                }
                guard let index else { return }
                do throws(ReportError) {
                    let (outcome, seconds, replayed) = if let cache {
                        try cachedLocation(own, dialect, sql, pairs[index], query: query, keep: keep, cache: cache,
                                           shared: shared, writes: writes)
                    } else {
                        try location(own, dialect, sql, pairs[index], query: query, keep: keep)
                    }
                    shared.withLock { state in
                        state.outcomes[index] = outcome
                        state.seconds += seconds
                        if replayed { state.replayed.append(index) }
                    }
                } catch {
                    shared.withLock { $0.error = $0.error ?? error.description }
                    return
                }
            }
        }
        let wall = Double(MonotonicTime.nanoseconds() - start) / 1e9
        let state = shared.withLock { $0 }
        if let error = state.error { throw ReportError(error) }
        var parts: [EnergyReport] = [], kept: [LocationEnergy] = []
        for outcome in state.outcomes {
            switch outcome {
            case .none: break
            case .part(let part): parts.append(part)
            case .energy(let energy): kept.append(energy)
            }
        }
        let report = slotSeconds != LocationEnergy.slotSeconds ? EnergyReport(merging: [], query: query)
            : keep ? EnergyReport(kept, query: query) : EnergyReport(merging: parts, query: query)
        return Result(report: report, energies: kept, databaseSeconds: wall, statementSeconds: state.seconds,
                      statements: pairs.count, replayed: state.replayed.sorted().map { pairs[$0].site + "/" + pairs[$0].location },
                      dialect: dialect, cache: state.cache)
    }

    /// Creates the cache table if missing and reads the rows' fingerprints per location and day.
    /// Returns nil (and the reason in `use.problem`) when the table cannot be created.
    private static func openCache(_ odbc: ODBCConnection, _ dialect: SqlDialect, _ sql: EnergySql,
                                  use: inout CacheUse) throws(ReportError) -> Cache? {
        let cache = EnergySqlCache(table: sql.table)
        do throws(ODBCError) {
            try odbc.execute(cache.createStatement(dialect), operation: "report cache")
            try odbc.commit()
            // A table made by another user may exist without this one's right to read it.
            _ = try odbc.prepare(cache.probeStatement, parameters: [], operation: "report cache").query()
            try odbc.commit()
        } catch {
            odbc.rollback()
            use.problem = "plc report: the slot cache \(cache.cacheTable) cannot be created, computing from the rows: "
                + error.message
            return nil
        }
        var days: [String: [Int64: DayPrint]] = [:]
        do {
            try odbc.prepare(cache.fingerprintStatement(dialect, sql), parameters: [], operation: "report").forEachRow { row in
                if let day = DayPrint.parse(row) { days[day.site + "\u{0}" + day.location, default: [:]][day.day] = day.print }
                return true
            }
            try odbc.commit()
        } catch {
            throw ReportError("plc report: --sql: \(error.description)")
        }
        use.used = true
        let today = Int64(Date().timeIntervalSince1970) / 86_400
        return Cache(sql: cache, days: days, storeBefore: today - 1)
    }

    /// One location through the slot cache: its range cut into local months, each month read from
    /// the cache when its rows' fingerprint is the stored one, else computed by the statement over
    /// that month (and stored when it is a whole month in the past); months that need the client
    /// are replayed (`compose`). When the months cannot be added up to the range's result (see
    /// `SlotCachePlan` and `Synced`), the location is computed over the whole range as without the cache.
    private static func cachedLocation(_ odbc: ODBCConnection, _ dialect: SqlDialect, _ all: EnergySql,
                                       _ pair: (site: String, location: String), query: ReportQuery, keep: Bool,
                                       cache: Cache, shared: borrowing Mutex<Shared>, writes: borrowing Mutex<Void>) throws(ReportError) -> (Outcome, Double, Bool) {
        let plan = SlotCachePlan(from: query.from.map(Int64.init), to: query.to.map { Int64($0) + 1 },
                                 days: cache.days[pair.site + "\u{0}" + pair.location] ?? [:])
        guard plan.separable else {
            shared.withLock { $0.cache.whole += 1 }
            return try location(odbc, dialect, all, pair, query: query, keep: keep)
        }
        let start = MonotonicTime.nanoseconds()
        var stored: [Int64: (fingerprint: String, body: String)] = [:]
        let months = plan.parts.filter(\.whole).map(\.month)
        if let first = months.min(), let last = months.max() {
            do {
                let text = cache.sql.readStatement(site: pair.site, location: pair.location, slotSeconds: all.slotSeconds,
                                                   maxPower: all.maxPower, firstDay: first, endDay: last + 1)
                try odbc.prepare(text, parameters: [], operation: "report cache").forEachRow { row in
                    if row.count >= 3, let day = row[0].flatMap({ Int64($0) }), let print = row[1], let body = row[2] {
                        stored[day] = (print, body)
                    }
                    return true
                }
                try odbc.commit()
            } catch {
                throw ReportError("plc report: --sql: \(error.description)")
            }
        }
        var results: [(part: SlotCachePlan.Part, rows: SqlLocationRows)] = []
        var fresh: [(month: Int64, fingerprint: String, body: String)] = []
        var hits = 0, computed = 0
        for part in plan.parts {
            guard let print = plan.fingerprint(part) else { continue }
            if part.whole, let hit = stored[part.month], hit.fingerprint == print,
               let month = SqlLocationRows(site: pair.site, location: pair.location, encoded: hit.body) {
                results.append((part, month))
                hits += 1
                continue
            }
            var sql = all
            sql.sites = [pair.site]
            sql.locations = [pair.location]
            sql.from = part.from * 86_400
            sql.to = part.to * 86_400
            let month = try statementRows(odbc, dialect, sql, pair)
            computed += 1
            if part.whole && part.to <= cache.storeBefore { fresh.append((part.month, print, month.encoded)) }
            results.append((part, month))
        }
        let seconds = Double(MonotonicTime.nanoseconds() - start) / 1e9
        let problem = fresh.isEmpty ? nil : store(odbc, cache, all, pair, fresh, shared: shared, writes: writes)
        shared.withLock { state in
            state.cache.hits += hits
            state.cache.computed += computed
            if let problem { state.cache.problem = state.cache.problem ?? problem }
        }
        guard results.contains(where: \.rows.seen) else { return (.none, seconds, false) }
        // The months the database could not classify are replayed on the client over their own
        // runs of months; the rest are the statements' rows.
        guard let energy = try compose(odbc, dialect, all, pair, query: query, results: results, edgeGaps: plan.edgeGaps) else {
            shared.withLock { $0.cache.whole += 1 }
            let (outcome, more, replayed) = try location(odbc, dialect, all, pair, query: query, keep: keep)
            return (outcome, seconds + more, replayed)
        }
        return (keep ? .energy(energy) : .part(EnergyReport([energy], query: query)), seconds,
                results.contains(where: \.rows.needsReplay))
    }

    /// A location's months added up: each month's statement rows, except that a run of months
    /// that need the client is replayed over its own range (from a day before it), and the gaps
    /// across the months' edges. Nil when a run's replay cannot be shown to reach its range in the
    /// state the whole range's replay would (`Synced`): then the whole range is computed.
    private static func compose(_ odbc: ODBCConnection, _ dialect: SqlDialect, _ all: EnergySql,
                                 _ pair: (site: String, location: String), query: ReportQuery,
                                 results: [(part: SlotCachePlan.Part, rows: SqlLocationRows)],
                                 edgeGaps: [Int64: Int]) throws(ReportError) -> LocationEnergy? {
        var energy = LocationEnergy(name: pair.site + "/" + pair.location, query: query, width: all.slotSeconds)
        var index = 0
        while index < results.count {
            guard results[index].rows.needsReplay else {
                energy.merge(results[index].rows.energy(query: query, width: all.slotSeconds))
                index += 1
                continue
            }
            var end = index
            while end + 1 < results.count, results[end + 1].rows.needsReplay, results[end + 1].part.from == results[end].part.to { end += 1 }
            let from = results[index].part.from, to = results[end].part.to
            var sql = all
            sql.sites = [pair.site]
            sql.locations = [pair.location]
            sql.from = from * 86_400
            sql.to = to * 86_400
            let range = ReportQuery(by: query.by, from: Int(from), to: Int(to) - 1, maxPower: query.maxPower)
            var synced = Synced(query: range)
            let part = try replay(odbc, dialect, sql, site: pair.site, location: pair.location, query: range, synced: &synced)
            // A run at the start starts where the whole range's replay starts (no rows between): nothing to reach.
            guard synced.reached || from == results[0].part.from else { return nil }
            energy.merge(part)
            index = end + 1
        }
        energy.addGaps(edgeGaps)
        return energy
    }

    /// Writes one location's computed months (each replaced in one transaction); returns why it
    /// could not, once (later writes are not tried).
    private static func store(_ odbc: ODBCConnection, _ cache: Cache, _ sql: EnergySql, _ pair: (site: String, location: String),
                              _ months: [(month: Int64, fingerprint: String, body: String)],
                              shared: borrowing Mutex<Shared>, writes: borrowing Mutex<Void>) -> String? {
        guard shared.withLock({ $0.cache.problem == nil }) else { return nil }
        return writes.withLock { _ -> String? in
            do throws(ODBCError) {
                for month in months {
                    try odbc.execute(cache.sql.deleteStatement(site: pair.site, location: pair.location, slotSeconds: sql.slotSeconds,
                                                               maxPower: sql.maxPower, firstDay: month.month), operation: "report cache")
                    try odbc.execute(cache.sql.insertStatement(site: pair.site, location: pair.location, slotSeconds: sql.slotSeconds,
                                                               maxPower: sql.maxPower, firstDay: month.month,
                                                               fingerprint: month.fingerprint, body: month.body),
                                     operation: "report cache")
                }
                try odbc.commit()
                return nil
            } catch {
                odbc.rollback()
                return "plc report: the slot cache \(cache.sql.cacheTable) cannot be written, computing from the rows: "
                    + error.message
            }
        }
    }

    /// The rows of one statement (one location), added up.
    private static func statementRows(_ odbc: ODBCConnection, _ dialect: SqlDialect, _ sql: EnergySql,
                                      _ pair: (site: String, location: String)) throws(ReportError) -> SqlLocationRows {
        var rows = SqlLocationRows(site: pair.site, location: pair.location)
        var failure: ReportError?
        var line = 0
        do throws(ODBCError) {
            try odbc.prepare(sql.statement(dialect), parameters: [], operation: "report").forEachRow { row in
                line += 1
                do throws(ReportError) {
                    try rows.take(row, line: line)
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
            try odbc.commit()
        } catch {
            throw ReportError("plc report: --sql: \(error.description)")
        }
        if let failure { throw ReportError("plc report: --sql: \(failure.description)") }
        return rows
    }

    /// One location's statement, its rows folded as they come; replayed on the client when the
    /// database could not classify every reading. Returns the outcome, the statement's time and
    /// whether it was replayed.
    private static func location(_ odbc: ODBCConnection, _ dialect: SqlDialect, _ all: EnergySql,
                                 _ pair: (site: String, location: String), query: ReportQuery,
                                 keep: Bool) throws(ReportError) -> (Outcome, Double, Bool) {
        var sql = all
        sql.sites = [pair.site]
        sql.locations = [pair.location]
        let start = MonotonicTime.nanoseconds()
        let rows = try statementRows(odbc, dialect, sql, pair)
        let seconds = Double(MonotonicTime.nanoseconds() - start) / 1e9
        guard rows.seen else { return (.none, seconds, false) }
        var energy = rows.energy(query: query, width: sql.slotSeconds)
        let replayed = rows.uncertain > 0
        if replayed {
            // The rules need more history than the window holds: replay on the client.
            energy = try replay(odbc, dialect, sql, site: pair.site, location: pair.location, query: query)
        }
        return (keep ? .energy(energy) : .part(EnergyReport([energy], query: query)), seconds, replayed)
    }

    /// A connection and its server's dialect.
    static func connect(_ connection: String) throws(ReportError) -> (odbc: ODBCConnection, dialect: SqlDialect) {
        let odbc: ODBCConnection
        do {
            odbc = try ODBCConnection(connection, queryTimeout: 3600)
        } catch {
            throw ReportError("plc report: --sql: \(error.description)")
        }
        guard let dialect = SqlDialect.of(dbmsName: odbc.dbmsName) else {
            throw ReportError("plc report: --sql: the server '\(odbc.dbmsName)' is not SQL Server, PostgreSQL or SQLite")
        }
        return (odbc, dialect)
    }

    /// Prints the statement `run` would send to the server of `connection`.
    static func show(connection: String, table: String, sites: [String], locations: [String], query: ReportQuery) throws {
        let sql = statement(table: table, sites: sites, locations: locations, query: query)
        emit(sql.statement(try connect(connection).dialect) + "\n")
    }

    /// Streams one location's rows, a week at a time, through `LocationEnergy` (slots of `sql.slotSeconds`).
    static func replay(_ odbc: ODBCConnection, _ dialect: SqlDialect, _ sql: EnergySql, site: String, location: String,
                       query: ReportQuery) throws(ReportError) -> LocationEnergy {
        var synced = Synced(query: query)
        return try replay(odbc, dialect, sql, site: site, location: location, query: query, synced: &synced)
    }

    /// Whether a replay that starts a day before its range reaches the range in the state a replay
    /// from any earlier row would: two counter readings in a row before the range with a possible
    /// rise (the counter accepts the second whatever came before, and its state is then that
    /// reading alone), and a power reading before the range when the location has any (the power
    /// integral's state is the last power reading).
    struct Synced {
        let start: Int64
        let check: EnergyCounter
        var previous: (time: Int64, kwh: Double)?
        var counter = false, power = false, anyPower = false

        init(query: ReportQuery) {
            start = query.from.map { Int64($0) * 86_400 } ?? Int64.min / 4
            check = EnergyCounter(maxPower: query.maxPower)
        }

        mutating func take(_ row: EnergyCSV.Row) {
            if row.power != nil { anyPower = true }
            guard row.time < start else { return }
            if row.power != nil { power = true }
            if let kwh = row.counter {
                if let p = previous, row.time > p.time, check.plausible(kwh - p.kwh, over: (row.time - p.time) * 1000) { counter = true }
                previous = (row.time, kwh)
            }
        }

        var reached: Bool { counter && (power || !anyPower) }
    }

    /// The replay, noting in `synced` what it saw before the range.
    static func replay(_ odbc: ODBCConnection, _ dialect: SqlDialect, _ sql: EnergySql, site: String, location: String,
                       query: ReportQuery, synced: inout Synced) throws(ReportError) -> LocationEnergy {
        var energy = LocationEnergy(name: site + "/" + location, query: query, width: sql.slotSeconds)
        do {
            let bounds = try odbc.prepare(sql.boundsStatement(dialect, site: site, location: location), parameters: [],
                                          operation: "report").query()
            guard let first = bounds.first?[0].flatMap({ Double($0) }), let last = bounds.first?[1].flatMap({ Double($0) }) else {
                return energy
            }
            let week: Int64 = 7 * 86_400
            var lower = max(Int64(first), (sql.from ?? Int64.min / 4) - 86_400)
            let upper = min(Int64(last) + 1, (sql.to ?? Int64.max / 4) + 86_400)
            while lower < upper {
                let text = sql.rowsStatement(dialect, site: site, location: location, lower: lower, upper: min(upper, lower + week))
                for row in try odbc.prepare(text, parameters: [], operation: "report").query() {
                    guard let time = row[0].flatMap({ Double($0) }) else { continue }
                    let counter = row[1].flatMap { Double($0) }
                    let reading = EnergyCSV.Row(time: Int64(time), counter: counter, power: row[2].flatMap { Double($0) },
                                                counterDecimals: row[1].map(Self.decimals) ?? 0)
                    synced.take(reading)
                    energy.add(reading)
                }
                lower += week
            }
        } catch {
            throw ReportError("plc report: --sql: \(error.description)")
        }
        return energy
    }

    /// Decimal places of a number as the driver printed it.
    static func decimals(_ text: String) -> Int {
        guard let dot = text.firstIndex(of: ".") else { return 0 }
        return text[text.index(after: dot)...].prefix { $0.isNumber }.count
    }
}

/// The options of `plc report --sql`.
struct ReportSqlOptions: ParsableArguments {
    @Option(help: "Compute the report inside this database (ODBC connection string; ${NAME} reads the environment) instead of CSV folders.")
    var sql: String?

    @Option(help: "With --sql: the sink's table.")
    var table = "energy_readings"

    @Option(help: "With --sql: only this site (repeatable).")
    var site: [String] = []

    @Option(help: "With --sql: only this location (repeatable).")
    var location: [String] = []

    @Option(help: "With --sql: also write the Grafana dashboard for this server's dialect (the report's SQL per panel) to this file.")
    var grafana: String?

    @Flag(name: .customLong("show-sql"), help: "With --sql: print the statement for this server's dialect instead of running it.")
    var showSQL = false

    @Flag(name: .customLong("no-cache"), help: "With --sql: compute from the rows only; neither read nor write the slot cache (<table>_slots).")
    var noCache = false

    /// The report over `connection` and, when `options` ask for it, its cost and insight from the
    /// same slots (the anomaly check's history is a second run over the longer range; a tariff's
    /// demand window other than the half hour, a run in slots of that width).
    func reportAndInsight(_ connection: String, query: ReportQuery, folder: String?, timing: Bool,
                          insight options: EnergyInsight.Options?) throws -> (EnergyReport, EnergyInsight?) {
        var use = SqlReport.CacheUse()
        defer { noteCache(use) }
        guard let options else { return (try report(connection, query: query, folder: folder, timing: timing, cache: &use).report, nil) }
        let result = try report(connection, query: query, folder: folder, timing: timing, energies: true, cache: &use)
        var energies = result.energies
        if options.historyDays > 0, let from = query.from {
            var history = query
            history.from = from - options.historyDays
            energies = try report(connection, query: history, folder: folder, timing: timing, energies: true, cache: &use).energies
        }
        var windows: [LocationEnergy] = []
        if let width = options.tariff?.demandWindowSeconds, width != LocationEnergy.slotSeconds {
            windows = try report(connection, query: query, folder: folder, timing: timing, energies: true, slotSeconds: width,
                                 cache: &use).energies
        }
        return (result.report, EnergyInsight(energies, windows: windows, query: query, options: options))
    }

    /// The slot cache's status line (and why it could not be used), on standard error.
    private func noteCache(_ use: SqlReport.CacheUse) {
        if let problem = use.problem { note(problem) }
        guard use.used else { return }
        let table = EnergySqlCache(table: table).cacheTable
        note("plc report: slot cache \(table): \(use.hits) location-months from the cache, \(use.computed) computed"
             + (use.whole == 0 ? "" : ", \(use.whole) location\(use.whole == 1 ? "" : "s") computed over the whole range"))
    }

    /// The report over `connection`, and with `energies` each location's energy (in slots of
    /// `slotSeconds`: then only the energies count); `folder` must be absent.
    func report(_ connection: String, query: ReportQuery, folder: String?, timing: Bool, energies: Bool = false,
                slotSeconds: Int64 = LocationEnergy.slotSeconds,
                cache: inout SqlReport.CacheUse) throws -> (report: EnergyReport, energies: [LocationEnergy]) {
        if let folder { throw fail("plc report: give either a site folder ('\(folder)') or --sql, not both") }
        guard SqlDialect.isPlainName(table, allowDot: true) else {
            throw fail("plc report: --table '\(table)' is not a plain table name (letters, digits, _, one dot)")
        }
        let expanded: String
        do {
            expanded = try SecretText.expand(connection)
        } catch {
            throw fail("plc report: --sql: \(error.message)")
        }
        if showSQL {
            try SqlReport.show(connection: expanded, table: table, sites: site, locations: location, query: query)
            throw ExitCode.success
        }
        let result = try SqlReport.run(connection: expanded, table: table, sites: site, locations: location, query: query,
                                       energies: energies, slotSeconds: slotSeconds, cache: !noCache)
        cache.add(result.cache)
        if let grafana {
            do {
                try GrafanaBoard.dashboard(result.dialect, table: table).write(toFile: grafana, atomically: true, encoding: .utf8)
            } catch {
                throw fail("\(grafana): cannot write: \(error.plainDescription)")
            }
        }
        if timing {
            let fingerprints = result.cache.used ? String(printf: " (%.2f s of it for the slot cache's fingerprints)", result.cache.seconds) : ""
            note(String(printf: "plc report: the database took %.2f s", result.databaseSeconds) + fingerprints
                 + String(printf: " for %ld ", result.statements) + (result.cache.used ? "locations" : "statements")
                 + String(printf: " on %ld connections (%.2f s summed)", min(SqlReport.connections, max(result.statements, 1)),
                          result.statementSeconds)
                 + (slotSeconds == LocationEnergy.slotSeconds ? "" : " in slots of \(slotSeconds) s")
                 + (result.replayed.isEmpty ? "" : "; replayed on the client: " + result.replayed.joined(separator: ", ")))
        }
        return (result.report, result.energies)
    }
}
