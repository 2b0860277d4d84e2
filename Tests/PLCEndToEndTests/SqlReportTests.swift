import Foundation
import PLCSql
import Testing

/// `plc report --sql` against PostgreSQL and SQLite (through their ODBC drivers) gives the same JSON
/// as `plc report` over the same rows as CSV folders.
@Suite("plc report --sql", .serialized)
struct SqlReportTests {
    /// 2 sites x 3 locations x 60 days of 5-minute rows (local time = UTC + 1 h), with a counter reset,
    /// a gap across midnight, a meter swap, a one-row glitch and two bad readings in a row; written as CSV folders and as one CSV
    /// file in the table's column order for loading into a database.
    struct Data {
        static let sites = ["north", "south"]
        static let names = ["Hall", "Kitchen", "Pump"]
        static let days = 60
        let folder: String
        let tableCSV: String

        init(days: Int = Self.days) throws {
            folder = try scratchFolder("sqlreport")
            tableCSV = folder + "/table.csv"
            var table = "site,location,ts_utc,ts_local,total_real_power,total_real_energy\n"
            var seed: UInt64 = 12345
            func random() -> Double {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return Double(seed >> 11) / Double(1 << 53)
            }
            let start = 20_454 // 2026-01-01, day number
            for site in Self.sites {
                for (n, name) in Self.names.enumerated() {
                    let dir = "\(folder)/\(site)/\(name)"
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                    var milli = 100_000 + 7_000 * n     // counter in Wh
                    for day in 0..<days {
                        var file = "timestamp,total_real_power,total_real_energy\n"
                        for step in 0..<288 {
                            let t = step * 300
                            let base = name == "Pump" ? 4.0 : (t >= 8 * 3600 && t < 18 * 3600 ? 9.0 : 2.5)
                            let kw = (base * (0.6 + 0.8 * random()) * 10).rounded() / 10
                            milli += Int(kw * 1000 / 12)
                            var counter = milli
                            if site == "north" && name == "Hall" && day == 10 && step == 144 { milli = 300; counter = milli }   // reset
                            if site == "north" && name == "Pump" && day == 30 && step == 96 { milli = 1_234_500; counter = milli } // swap
                            if site == "south" && name == "Hall" && day == 40 && step == 100 { counter = 0 }           // glitch
                            if site == "north" && name == "Kitchen" && day == 50 && (100...101).contains(step) {
                                counter = 5_000 - 2_000 * (step - 100)    // two bad readings in a row: replayed on the client
                            }
                            if site == "south" && name == "Kitchen" && (day == 20 && step >= 264 || day == 21 && step < 24) {
                                continue                                                                     // gap across midnight
                            }
                            let local = Self.stamp(start + day, t)
                            let utc = t >= 3600 ? Self.stamp(start + day, t - 3600) : Self.stamp(start + day - 1, t + 82_800)
                            let energy = String(format: "%.3f", Double(counter) / 1000)
                            let watts = String(format: "%.1f", kw * 1000)
                            file += "\(local),\(watts),\(energy)\n"
                            table += "\(site),\(name),\(utc),\(local),\(watts),\(energy)\n"
                        }
                        try file.write(toFile: "\(dir)/energy_\(Self.stamp(start + day, 0).prefix(10)).csv", atomically: true, encoding: .utf8)
                    }
                }
            }
            try table.write(toFile: tableCSV, atomically: true, encoding: .utf8)
        }

        static func stamp(_ day: Int, _ seconds: Int) -> String {
            let date = Date(timeIntervalSince1970: Double(day * 86_400 + seconds))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        }
    }

    static let cases: [[String]] = [
        ["--by", "day"],
        ["--by", "month"],
        ["--by", "hour", "--from", "2026-01-20", "--to", "2026-01-23"],
        ["--by", "day", "--from", "2026-02-10", "--to", "2026-02-15"],
        // Cost, base load, after-hours use and anomalies from the database's slots.
        ["--by", "day", "--tariff", "two-rate"],
        ["--by", "location", "--tariff", "two-rate", "--from", "2026-01-20", "--to", "2026-02-10"],
        ["--by", "day", "--from", "2026-02-10", "--to", "2026-02-20", "--anomalies"],
    ]

    /// Runs every case for each site over `connection` and over the site's folder; the JSON must be equal.
    static func compare(_ data: Data, _ connection: String) throws {
        // A demand charge on 15-minute windows: the database's slots a second time, 900 s wide.
        let quarterHour = data.folder + "/quarter-hour.yaml"
        let twoRate = try String(contentsOf: PLCCommand.root.appendingPathComponent("tariffs/two-rate.yaml"), encoding: .utf8)
        try #require(twoRate.contains("window: T#30m"))
        try twoRate.replacingOccurrences(of: "window: T#30m", with: "window: T#15m")
            .write(toFile: quarterHour, atomically: true, encoding: .utf8)
        let quarterCase = ["--by", "day", "--tariff", quarterHour, "--from", "2026-01-05", "--to", "2026-02-25"]
        for arguments in cases + [quarterCase] {
            for site in Data.sites {
                let csv = try PLCCommand.run(["report", "\(data.folder)/\(site)", "--format", "json"] + arguments)
                #expect(csv.status == 0, "\(csv.stderr)")
                let sql = try PLCCommand.run(["report", "--sql", connection, "--site", site, "--format", "json"] + arguments,
                                             timeout: 300)
                #expect(sql.status == 0, "\(sql.stderr)")
                let named = sql.stdout.replacingOccurrences(of: "\"\(site)/", with: "\"")
                // Costs are sums of kWh x price printed to 0.001: a sum that lands on a half can round
                // either way with the order of the additions (the CSV path's own order varies between
                // runs too), so the insight cases compare numbers to 0.002 and everything else exactly.
                let insight = arguments.contains("--tariff") || arguments.contains("--anomalies")
                let same = insight ? Self.sameJSON(named, csv.stdout, tolerance: 0.002) : named == csv.stdout
                if arguments == quarterCase {
                    // Both paths bill each location's highest quarter hour of January and of February.
                    let months = Self.demandMonths(named)
                    #expect(months.count == 3 && months.allSatisfy { $0 == ["2026-01", "2026-02"] }, "\(site): \(months)")
                }
                #expect(same, "\(arguments) \(site): the SQL report differs from the CSV report")
                if !same {
                    try named.write(toFile: "\(data.folder)/sql-\(site).json", atomically: true, encoding: .utf8)
                    try csv.stdout.write(toFile: "\(data.folder)/csv-\(site).json", atomically: true, encoding: .utf8)
                }
            }
        }
        // Both sites at once: six locations, site then location, and the top location across sites.
        let both = try PLCCommand.run(["report", "--sql", connection, "--format", "csv", "--by", "month"], timeout: 300)
        #expect(both.status == 0, "\(both.stderr)")
        let names = Set(both.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] })
        #expect(names.count == 6 && names.contains("south/Pump"), "\(names)")
        // The heatmap and the page by site, then location; --grafana writes the board for the server's dialect.
        let svg = data.folder + "/heatmap.svg", html = data.folder + "/report.html", board = data.folder + "/board.json"
        let pages = try PLCCommand.run(["report", "--sql", connection, "--svg", svg, "--html", html, "--grafana", board], timeout: 300)
        #expect(pages.status == 0, "\(pages.stderr)")
        let picture = (try? String(contentsOfFile: svg, encoding: .utf8)) ?? ""
        let positions = ["north/Hall", "north/Pump", "south/Hall", "south/Pump"].map { picture.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil } && positions.map { $0! } == positions.map { $0! }.sorted(), "heatmap rows not by site, then location")
        #expect(((try? String(contentsOfFile: html, encoding: .utf8)) ?? "").contains("south/Kitchen"))
        let dialect: SqlDialect = connection.contains("SQLite") ? .sqlite : .postgres
        #expect((try? String(contentsOfFile: board, encoding: .utf8)) == GrafanaBoard.dashboard(dialect, table: "energy_readings"))
        // Only the location with two bad readings in a row needed the client.
        let timed = try PLCCommand.run(["report", "--sql", connection, "--by", "month", "--timing"], timeout: 300)
        #expect(timed.stderr.contains("replayed on the client: north/Kitchen\n"), "\(timed.stderr)")
        // A 15-minute demand window: a second run in 900 s slots, the same location replayed at that width.
        let quarter = try PLCCommand.run(["report", "--sql", connection, "--by", "month", "--tariff", quarterHour, "--timing"],
                                         timeout: 300)
        #expect(quarter.stderr.contains(" in slots of 900 s; replayed on the client: north/Kitchen\n"), "\(quarter.stderr)")
    }

    /// The months of each location's demand charges in `--format json` output at a 15-minute window
    /// (empty when the window is missing).
    static func demandMonths(_ json: String) -> [[String]] {
        guard let root = try? JSONSerialization.jsonObject(with: Foundation.Data(json.utf8)) as? [String: Any],
              let insight = root["insight"] as? [String: Any], insight["demand_window_minutes"] as? Int == 15,
              let locations = insight["locations"] as? [[String: Any]] else { return [] }
        return locations.map { location in
            (((location["cost"] as? [String: Any])?["demand"] as? [[String: Any]]) ?? []).compactMap { $0["month"] as? String }
        }
    }

    /// Whether two JSON texts hold the same structure, strings and numbers (to `tolerance`).
    static func sameJSON(_ a: String, _ b: String, tolerance: Double) -> Bool {
        func same(_ x: Any, _ y: Any) -> Bool {
            switch (x, y) {
            case let (x as [String: Any], y as [String: Any]):
                return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0]!, y[$0]!) }
            case let (x as [Any], y as [Any]):
                return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
            case let (x as String, y as String):
                return x == y
            case let (x as NSNumber, y as NSNumber):
                return abs(x.doubleValue - y.doubleValue) <= tolerance
            case (is NSNull, is NSNull):
                return true
            default:
                return false
            }
        }
        guard let x = try? JSONSerialization.jsonObject(with: Foundation.Data(a.utf8)),
              let y = try? JSONSerialization.jsonObject(with: Foundation.Data(b.utf8)) else { return false }
        return same(x, y)
    }

    @Test("bad --sql input exits 2 with one line", arguments: [
        (["report"], "give a site folder or --sql"),
        (["report", "somewhere", "--sql", "Driver=SQLite3;Database=x.db"], "not both"),
        (["report", "--sql", "Driver=SQLite3;Database=x.db", "--table", "x; DROP TABLE y"], "not a plain table name"),
        (["report", "--sql", "Driver=NoSuchDriver;Server=127.0.0.1"], "plc report: --sql: "),
    ])
    func badInput(_ arguments: [String], _ message: String) throws {
        let result = try PLCCommand.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message) && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test("PostgreSQL: plc report --sql equals plc report over the CSV folders", .timeLimit(.minutes(10)))
    func postgres() throws {
        let data = try Data()
        defer { try? FileManager.default.removeItem(atPath: data.folder) }
        let pg = try Self.loadPostgres(data)
        try Self.compare(data, pg.connection)
        try Self.grafanaPanels(pg.connection)
    }

    /// A PostgreSQL server with `data`'s rows in the sink's table `energy_readings`.
    static func loadPostgres(_ data: Data) throws -> PostgresServer {
        let pg = try PostgresServer()
        let ddl = SqlDialect.postgres.createTable("energy_readings", valueColumns: ["total_real_power", "total_real_energy"])
        try psql(pg, [ddl, "\\copy energy_readings (site, location, ts_utc, ts_local, total_real_power, total_real_energy) "
                      + "FROM '\(data.tableCSV)' CSV HEADER", "ANALYZE energy_readings"])
        return pg
    }

    /// Runs each of `commands` through psql as the superuser.
    static func psql(_ pg: PostgresServer, _ commands: [String]) throws {
        for command in commands {
            let result = try shell(["psql", "-h", "127.0.0.1", "-p", "\(pg.port)", "-U", "postgres", "-v", "ON_ERROR_STOP=1",
                                    "-c", command], timeout: 120)
            try #require(result.status == 0, "\(result.output)")
        }
    }

    /// A SQLite file with `data`'s rows in `energy_readings`; returns its ODBC connection string.
    static func loadSQLite(_ data: Data) throws -> String {
        let db = data.folder + "/readings.db"
        let ddl = SqlDialect.sqlite.createTable("energy_readings", valueColumns: ["total_real_power", "total_real_energy"])
        // The sink writes ts_local as text with milliseconds; so does this import.
        let load = try shell(["sqlite3", db, ddl + ";",
                              ".import --csv --skip 1 \(data.tableCSV) energy_readings",
                              "UPDATE energy_readings SET ts_utc = ts_utc || '.000', ts_local = ts_local || '.000';"], timeout: 120)
        try #require(load.status == 0, "\(load.output)")
        return "Driver=SQLite3;Database=\(db)"
    }

    /// The Grafana board's SQL runs on PostgreSQL (the time macro filled in), and its daily kWh for a
    /// day well inside the range equals the report's.
    static func grafanaPanels(_ connection: String) throws {
        let odbc = try ODBCConnection(connection)
        let filter = "ts_utc BETWEEN TIMESTAMP '2026-01-05 00:00:00' AND TIMESTAMP '2026-01-20 00:00:00'"
        var results: [[[String?]]] = []
        for sql in GrafanaBoard.queries(.postgres, table: "energy_readings") {
            let rows = try odbc.prepare(sql.replacingOccurrences(of: "$__timeFilter(ts_utc)", with: filter), parameters: [],
                                        operation: "panel").query()
            #expect(!rows.isEmpty, "\(sql.suffix(200))")
            results.append(rows)
        }
        let daily = results[2].first { $0[0]?.hasPrefix("2026-01-10") == true && $0[1] == "north/Hall" }
        let report = try PLCCommand.run(["report", "--sql", connection, "--site", "north", "--location", "Hall", "--format", "csv",
                                         "--from", "2026-01-10", "--to", "2026-01-10"], timeout: 120)
        let line = report.stdout.split(separator: "\n").first { $0.hasPrefix("2026-01-10,north/Hall,") }
        let expected = line.flatMap { Double($0.split(separator: ",")[2]) }
        #expect(expected != nil && abs((daily?[2].flatMap { Double($0) } ?? .nan) - (expected ?? .nan)) < 0.0005,
                "Grafana daily kWh \(String(describing: daily)) vs report \(String(describing: line))")
    }

    @Test("SQLite through sqliteodbc: plc report --sql equals plc report over the CSV folders", .timeLimit(.minutes(10)))
    func sqlite() throws {
        let data = try Data()
        defer { try? FileManager.default.removeItem(atPath: data.folder) }
        try Self.compare(data, try Self.loadSQLite(data))
    }
}
