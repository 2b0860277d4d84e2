import ArgumentParser
import PLCBlocks
import PLCCore
import PLCReport
import PLCSql
import PLCStorage
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `plc report --sql`: the report computed inside the database from the sink's table.
enum SqlReport {
    /// The statement for `query` over `table`, rows of `sites` and `locations` (empty: all).
    static func statement(table: String, sites: [String], locations: [String], query: ReportQuery) -> EnergySql {
        EnergySql(table: table, sites: sites, locations: locations,
                  from: query.from.map { Int64($0) * 86_400 }, to: query.to.map { Int64($0 + 1) * 86_400 },
                  binSlots: query.by == .hour ? 2 : 48, sourceSlots: query.by.slotCount, maxPower: query.maxPower)
    }

    /// Runs the report over ODBC `connection` and returns it, with the database's time for the statement.
    static func run(connection: String, table: String, sites: [String], locations: [String],
                    query: ReportQuery) throws -> (report: EnergyReport, databaseSeconds: Double, replayed: [String], dialect: SqlDialect) {
        let sql = statement(table: table, sites: sites, locations: locations, query: query)
        do {
            let (odbc, dialect) = try connect(connection)
            let start = MonotonicTime.nanoseconds()
            let rows = try odbc.prepare(sql.statement(dialect), parameters: [], operation: "report").query()
            let seconds = Double(MonotonicTime.nanoseconds() - start) / 1e9
            var replayed: [String] = []
            let report = try EnergyReport(aggregates: rows, query: query, binSlots: sql.binSlots) { site, location throws(ReportError) in
                replayed.append(site + "/" + location)
                return try replay(odbc, dialect, sql, site: site, location: location, query: query)
            }
            return (report, seconds, replayed, dialect)
        } catch let error as ODBCError {
            throw ReportError("plc report: --sql: \(error.description)")
        }
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

    /// Streams one location's rows, a week at a time, through `LocationEnergy`.
    static func replay(_ odbc: ODBCConnection, _ dialect: SqlDialect, _ sql: EnergySql, site: String, location: String,
                       query: ReportQuery) throws(ReportError) -> LocationEnergy {
        var energy = LocationEnergy(name: site + "/" + location, query: query)
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

    /// The report over `connection`; `folder` must be absent.
    func report(_ connection: String, query: ReportQuery, folder: String?, timing: Bool) throws -> EnergyReport {
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
        let result = try SqlReport.run(connection: expanded, table: table, sites: site, locations: location, query: query)
        if let grafana {
            do {
                try GrafanaBoard.dashboard(result.dialect, table: table).write(toFile: grafana, atomically: true, encoding: .utf8)
            } catch {
                throw fail("\(grafana): cannot write: \(error.plainDescription)")
            }
        }
        if timing {
            note(String(printf: "plc report: the database took %.2f s for the statement", result.databaseSeconds)
                 + (result.replayed.isEmpty ? "" : "; replayed on the client: " + result.replayed.joined(separator: ", ")))
        }
        return result.report
    }
}
