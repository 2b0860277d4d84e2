import Foundation
import PLCBlocks
import PLCSql
import Testing

/// The report's SQL holds the same counter rules as `EnergyCounter`: shared vectors run through both
/// (the SQL in SQLite through sqliteodbc), and the T-SQL text is golden.
@Suite("EnergySql")
struct EnergySqlTests {
    /// A vector: counter readings every 5 minutes (nil: a gap of one reading), and the spike limit.
    struct Vector: Sendable, CustomStringConvertible {
        var name: String
        var counters: [Double?]
        var maxPower = 0.0
        var description: String { name }
    }

    static let vectors: [Vector] = {
        var random: UInt64 = 7
        func next() -> Double {
            random = random &* 6364136223846793005 &+ 1442695040888963407
            return Double(random >> 11) / Double(1 << 53)
        }
        var noisy: [Double?] = []
        var value = 500.0
        for i in 0..<400 {
            value += (next() * 0.8 * 1000).rounded() / 1000
            let r = next()
            noisy.append(r < 0.03 ? 0 : r < 0.06 ? value + 50 : r < 0.08 ? nil : (i == 200 ? 10 : value))
            if i == 200 { value = 10 }
        }
        return [
            Vector(name: "steady", counters: [100, 100.5, 101, 101.7, 102]),
            Vector(name: "reset to zero", counters: [100, 100.5, 0, 0.4, 0.9]),
            Vector(name: "one-row glitch down", counters: [100, 100.5, 3, 101.2, 101.9]),
            Vector(name: "spike up with a power limit", counters: [100, 100.5, 900, 101.2, 101.9], maxPower: 10),
            Vector(name: "meter swap to a lower counter", counters: [5000, 5000.6, 1234.5, 1235.1, 1235.8]),
            Vector(name: "meter swap to a higher counter with a power limit", counters: [10, 10.6, 8000, 8000.7, 8001.1], maxPower: 10),
            Vector(name: "gap", counters: [100, 100.5, nil, nil, nil, 102.9, 103.3]),
            Vector(name: "two rejected rows in a row", counters: [100, 100.5, 3, 2, 101.9, 102.3, 102.9]),
            Vector(name: "random glitches, spikes, gaps and a reset", counters: noisy, maxPower: 20),
        ]
    }()

    /// What `EnergyCounter` does with each reading: (time s, event code, segment start, kWh).
    static func machine(_ vector: Vector) -> [(t: Int64, ev: Int, a: Int64?, kwh: Double?)] {
        var counter = EnergyCounter(maxPower: vector.maxPower)
        var out: [(Int64, Int, Int64?, Double?)] = []
        for (i, value) in vector.counters.enumerated() {
            guard let value else { continue }
            let t = Self.epochOffset + Int64(i * 300)
            let step = counter.counter(value, at: t * 1000)
            let code: Int = switch step.event {
            case .first: 0
            case .counted: 1
            case .rejected: 2
            case .stepped: 3
            default: -1
            }
            out.append((t, code, step.segment.map { $0.from / 1000 }, step.segment?.kwh))
        }
        return out
    }

    @Test("the database classifies each reading as EnergyCounter does, or says it cannot", arguments: vectors)
    func sharedVectors(_ vector: Vector) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energysql-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let odbc = try ODBCConnection("Driver=SQLite3;Database=\(folder)/v.db")
        try odbc.execute(SqlDialect.sqlite.createTable("energy_readings", valueColumns: ["total_real_power", "total_real_energy"]),
                         operation: "create")
        let insert = try odbc.prepare("INSERT INTO energy_readings (site, location, ts_utc, ts_local, total_real_energy) VALUES ('s', 'l', ?, ?, ?)",
                                      parameters: [.timestamp, .timestamp, .double], operation: "insert")
        let expected = Self.machine(vector)
        for (i, value) in vector.counters.enumerated() {
            guard let value else { continue }
            let stamp = String(format: "2026-01-%02d %02d:%02d:00.000", 1 + i * 5 / 1440, i * 5 / 60 % 24, i * 5 % 60)
            insert.set(0, text: stamp)
            insert.set(1, text: stamp)
            insert.set(2, double: value)
            try insert.execute()
        }
        try odbc.commit()
        let sql = EnergySql(binSlots: 2, sourceSlots: 2, maxPower: vector.maxPower)
        let rows = try odbc.prepare(sql.eventsStatement(.sqlite), parameters: [], operation: "events").query()
        try #require(rows.count == expected.count)
        var uncertain = 0
        for (row, want) in zip(rows, expected) {
            #expect(Int64(row[2] ?? "") == want.t)
            let ev = Int(row[3] ?? "") ?? -9
            if ev == 9 { uncertain += 1; continue }
            #expect(ev == want.ev, "\(vector.name): reading at \(want.t): SQL event \(ev), EnergyCounter \(want.ev)")
            #expect(row[4].flatMap { Int64($0) } == want.a, "\(vector.name): segment start at \(want.t)")
            if let kwh = want.kwh {
                #expect(abs((row[6].flatMap { Double($0) } ?? .nan) - kwh) < 1e-9, "\(vector.name): kWh at \(want.t)")
            }
        }
        if vector.name == "two rejected rows in a row" { #expect(uncertain > 0) }
        if !vector.name.contains("two") && !vector.name.contains("random") { #expect(uncertain == 0) }
    }

    @Test("the slot width is a parameter: 15-minute slots add up to the 30-minute ones, per source")
    func slotWidth() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("energysql-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let odbc = try ODBCConnection("Driver=SQLite3;Database=\(folder)/w.db")
        try odbc.execute(SqlDialect.sqlite.createTable("energy_readings", valueColumns: ["total_real_power", "total_real_energy"]),
                         operation: "create")
        let insert = try odbc.prepare("INSERT INTO energy_readings (site, location, ts_utc, ts_local, total_real_power, total_real_energy) "
                                      + "VALUES ('s', 'l', ?, ?, ?, ?)", parameters: [.timestamp, .timestamp, .double, .double], operation: "insert")
        var counter = 100.0
        // Every 7 minutes (off the slot grid, so segments cross slot starts), with a 50-minute gap.
        for i in 0..<60 where !(20..<27).contains(i) {
            let minute = i * 7
            let stamp = String(format: "2026-01-01 %02d:%02d:00.000", minute / 60, minute % 60)
            counter += 0.25 + Double(i % 5) * 0.05
            insert.set(0, text: stamp)
            insert.set(1, text: stamp)
            insert.set(2, double: 2000 + Double(i % 3) * 500)
            insert.set(3, double: counter)
            try insert.execute()
        }
        try odbc.commit()
        func slots(_ seconds: Int64) throws -> [Int64: (counter: Double, power: Double)] {
            var out: [Int64: (counter: Double, power: Double)] = [:]
            let sql = EnergySql(slotSeconds: seconds)
            for row in try odbc.prepare(sql.statement(.sqlite), parameters: [], operation: "slots").query() where row[0] == "S" {
                let key = Int64(row[3] ?? "") ?? -1
                out[key, default: (0, 0)].counter += row[4].flatMap { Double($0) } ?? 0
                out[key, default: (0, 0)].power += row[5].flatMap { Double($0) } ?? 0
            }
            return out
        }
        let half = try slots(1800), quarter = try slots(900)
        #expect(quarter.count > half.count + half.count / 2, "\(quarter.count) quarter-hour slots, \(half.count) half-hour slots")
        for (slot, kwh) in half {
            let parts = [quarter[slot * 2], quarter[slot * 2 + 1]].compactMap { $0 }
            #expect(abs(parts.reduce(0) { $0 + $1.counter } - kwh.counter) < 1e-9, "counter, slot \(slot)")
            #expect(abs(parts.reduce(0) { $0 + $1.power } - kwh.power) < 1e-9, "power, slot \(slot)")
        }
        #expect(abs(half.values.reduce(0) { $0 + $1.counter } - (counter - 100.25)) < 1e-9)
    }

    /// 2026-01-01 00:00 as seconds since 1970: the vectors' first reading.
    static let epochOffset: Int64 = 1_767_225_600

    @Test("the T-SQL statement is the golden text (SQL Server 2016+: DATEDIFF_BIG, no WINDOW clause, MAXRECURSION)")
    func tsqlGolden() throws {
        let sql = EnergySql(table: "dbo.energy_readings", sites: ["north"], from: 1_767_225_600, to: 1_769_904_000,
                            binSlots: 48, sourceSlots: 48).statement(.tsql)
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/sql/energy-report.tsql").path
        if ProcessInfo.processInfo.environment["PLC_UPDATE_GOLDEN"] == "1" {
            try sql.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(sql == golden, "EnergySql's T-SQL changed; review it and rerun with PLC_UPDATE_GOLDEN=1")
        #expect(sql.contains("DATEDIFF_BIG(SECOND") && sql.hasSuffix("OPTION (MAXRECURSION 0)") && !sql.contains("RECURSIVE"))
    }
}

/// The Grafana files in deploy/grafana: the dashboards are GrafanaBoard's output, and their
/// structure (panels, targets, data source references) holds together with the provisioning.
@Suite("Grafana board")
struct GrafanaBoardTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/grafana").path

    static func file(_ dialect: SqlDialect) -> String {
        "\(deploy)/dashboards/energy-\(dialect == .tsql ? "mssql" : "postgres").json"
    }

    @Test("the checked-in dashboards are what plc report --sql ... --grafana writes", arguments: [SqlDialect.postgres, .tsql])
    func generated(_ dialect: SqlDialect) throws {
        let text = GrafanaBoard.dashboard(dialect, table: "energy_readings")
        if ProcessInfo.processInfo.environment["PLC_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: Self.file(dialect), atomically: true, encoding: .utf8)
        }
        #expect(try String(contentsOfFile: Self.file(dialect), encoding: .utf8) == text,
                "deploy/grafana differs from GrafanaBoard; rerun with PLC_UPDATE_GOLDEN=1")
    }

    @Test("panels, targets and data source references", arguments: [SqlDialect.postgres, .tsql])
    func structure(_ dialect: SqlDialect) throws {
        let provisioning = try String(contentsOfFile: "\(Self.deploy)/provisioning/datasources/energy.yaml", encoding: .utf8)
        let uids = Set(provisioning.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("uid:") ? t.dropFirst(4).trimmingCharacters(in: .whitespaces) : nil
        })
        let types = Set(provisioning.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("type:") ? t.dropFirst(5).trimmingCharacters(in: .whitespaces) : nil
        })
        let board = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.file(dialect)))) as? [String: Any])
        #expect(board["uid"] as? String != nil && board["title"] as? String != nil)
        let panels = try #require(board["panels"] as? [[String: Any]])
        #expect(Set(panels.compactMap { $0["title"] as? String }) == [
            "kWh by location and hour", "Top locations this week (kWh)", "Daily kWh per location", "Data quality per location"])
        #expect(Set(panels.compactMap { $0["id"] as? Int }).count == panels.count)
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            #expect(["heatmap", "bargauge", "barchart", "table"].contains(panel["type"] as? String ?? ""), "\(title)")
            let grid = try #require(panel["gridPos"] as? [String: Int], "\(title)")
            #expect(grid["w"].map { $0 > 0 && $0 <= 24 } == true && grid["h"].map { $0 > 0 } == true, "\(title)")
            let targets = try #require(panel["targets"] as? [[String: Any]], "\(title)")
            #expect(!targets.isEmpty)
            for target in targets {
                let source = try #require(target["datasource"] as? [String: String], "\(title)")
                #expect(uids.contains(source["uid"] ?? ""), "\(title): data source \(source) is not provisioned")
                #expect(types.contains(source["type"] ?? ""), "\(title): type \(source)")
                let sql = target["rawSql"] as? String ?? ""
                #expect(sql.contains("$__timeFilter(ts_utc)") && sql.contains("LAG(v, 1) OVER"), "\(title)")
                #expect(target["refId"] as? String == "A" && ["table", "time_series"].contains(target["format"] as? String ?? ""))
            }
        }
    }
}

@Suite("SqlDialect index")
struct SqlDialectIndexTests {
    @Test("the sink creates an index on ts_utc next to the primary key, idempotently, in every dialect")
    func index() throws {
        #expect(SqlDialect.postgres.createIndex("energy_readings") == "CREATE INDEX IF NOT EXISTS energy_readings_ts_utc ON energy_readings (ts_utc)")
        #expect(SqlDialect.tsql.createIndex("dbo.energy").contains("CREATE INDEX IX_dbo_energy_ts_utc ON dbo.energy (ts_utc)"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sqlindex-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let odbc = try ODBCConnection("Driver=SQLite3;Database=\(folder)/i.db")
        try odbc.execute(SqlDialect.sqlite.createTable("energy_readings", valueColumns: ["total_real_energy"]), operation: "create")
        for _ in 0..<2 { try odbc.execute(SqlDialect.sqlite.createIndex("energy_readings"), operation: "index") }
        let plan = try odbc.prepare("EXPLAIN QUERY PLAN SELECT * FROM energy_readings WHERE ts_utc >= '2026-01-01'", parameters: [],
                                    operation: "plan").query()
        #expect(plan.contains { $0.compactMap { $0 }.joined().contains("energy_readings_ts_utc") }, "\(plan)")
    }
}
