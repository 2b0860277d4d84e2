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
    }

    /// Runs the report over ODBC `connection`: the location list, then one statement per location
    /// on `connections` connections side by side, each location folded as its rows arrive. With
    /// `energies`, keeps each location's slots (for cost and insight) instead of only its figures.
    /// With `slotSeconds` other than the half hour (a demand window), only the energies count: the
    /// report is left empty.
    static func run(connection: String, table: String, sites: [String], locations: [String],
                    query: ReportQuery, energies keep: Bool = false,
                    slotSeconds: Int64 = LocationEnergy.slotSeconds) throws -> Result {
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
        let shared = Mutex(Shared(outcomes: Array(repeating: .none, count: pairs.count)))
        let start = MonotonicTime.nanoseconds()
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
                    let (outcome, seconds, replayed) = try location(own, dialect, sql, pairs[index], query: query, keep: keep)
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
                      dialect: dialect)
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
        var rows = SqlLocationRows(site: pair.site, location: pair.location)
        var failure: ReportError?
        var line = 0
        let start = MonotonicTime.nanoseconds()
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
        } catch {
            throw ReportError("plc report: --sql: \(error.description)")
        }
        let seconds = Double(MonotonicTime.nanoseconds() - start) / 1e9
        if let failure { throw ReportError("plc report: --sql: \(failure.description)") }
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
                    energy.add(EnergyCSV.Row(time: Int64(time), counter: counter, power: row[2].flatMap { Double($0) },
                                             counterDecimals: row[1].map(Self.decimals) ?? 0))
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

    /// The report over `connection` and, when `options` ask for it, its cost and insight from the
    /// same slots (the anomaly check's history is a second run over the longer range; a tariff's
    /// demand window other than the half hour, a run in slots of that width).
    func reportAndInsight(_ connection: String, query: ReportQuery, folder: String?, timing: Bool,
                          insight options: EnergyInsight.Options?) throws -> (EnergyReport, EnergyInsight?) {
        guard let options else { return (try report(connection, query: query, folder: folder, timing: timing).report, nil) }
        let result = try report(connection, query: query, folder: folder, timing: timing, energies: true)
        var energies = result.energies
        if options.historyDays > 0, let from = query.from {
            var history = query
            history.from = from - options.historyDays
            energies = try report(connection, query: history, folder: folder, timing: timing, energies: true).energies
        }
        var windows: [LocationEnergy] = []
        if let width = options.tariff?.demandWindowSeconds, width != LocationEnergy.slotSeconds {
            windows = try report(connection, query: query, folder: folder, timing: timing, energies: true, slotSeconds: width).energies
        }
        return (result.report, EnergyInsight(energies, windows: windows, query: query, options: options))
    }

    /// The report over `connection`, and with `energies` each location's energy (in slots of
    /// `slotSeconds`: then only the energies count); `folder` must be absent.
    func report(_ connection: String, query: ReportQuery, folder: String?, timing: Bool, energies: Bool = false,
                slotSeconds: Int64 = LocationEnergy.slotSeconds) throws -> (report: EnergyReport, energies: [LocationEnergy]) {
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
                                       energies: energies, slotSeconds: slotSeconds)
        if let grafana {
            do {
                try GrafanaBoard.dashboard(result.dialect, table: table).write(toFile: grafana, atomically: true, encoding: .utf8)
            } catch {
                throw fail("\(grafana): cannot write: \(error.plainDescription)")
            }
        }
        if timing {
            note(String(printf: "plc report: the database took %.2f s for %ld statements on %ld connections (%.2f s summed)",
                        result.databaseSeconds, result.statements, min(SqlReport.connections, max(result.statements, 1)),
                        result.statementSeconds)
                 + (slotSeconds == LocationEnergy.slotSeconds ? "" : " in slots of \(slotSeconds) s")
                 + (result.replayed.isEmpty ? "" : "; replayed on the client: " + result.replayed.joined(separator: ", ")))
        }
        return (result.report, result.energies)
    }
}
