import Foundation
import PLCSql
import PLCStorage
import Testing

/// The SQL each dialect gets, pinned: SQL Server cannot run here, so its T-SQL is golden text.
@Suite("SQL dialects and the CSV outbox")
struct SqlDialectTests {
    @Test("T-SQL: DDL with DATETIME2(3) and the primary key, created only if missing")
    func tsqlCreate() {
        let ddl = SqlDialect.tsql.createTable("dbo.energy_readings", valueColumns: ["voltage_l1", "total_real_energy"])
        #expect(ddl == """
            IF OBJECT_ID(N'dbo.energy_readings', N'U') IS NULL
            CREATE TABLE dbo.energy_readings (
                site NVARCHAR(64) NOT NULL,
                location NVARCHAR(64) NOT NULL,
                ts_utc DATETIME2(3) NOT NULL,
                ts_local DATETIME2(3) NOT NULL,
                voltage_l1 FLOAT NULL,
                total_real_energy FLOAT NULL,
                CONSTRAINT PK_dbo_energy_readings PRIMARY KEY (site, location, ts_utc)
            )
            """)
    }

    @Test("T-SQL: insert-if-absent under a key-range lock, the key bound twice")
    func tsqlInsert() {
        let (sql, parameters) = SqlDialect.tsql.insertIfAbsent("energy_readings", valueColumns: ["voltage_l1"])
        #expect(sql == """
            INSERT INTO energy_readings (site, location, ts_utc, ts_local, voltage_l1)
            SELECT ?, ?, ?, ?, ?
            WHERE NOT EXISTS (SELECT 1 FROM energy_readings WITH (UPDLOCK, HOLDLOCK)
                              WHERE site = ? AND location = ? AND ts_utc = ?)
            """)
        #expect(parameters == [0, 1, 2, 3, 4, 0, 1, 2])
    }

    @Test("PostgreSQL and SQLite: ON CONFLICT DO NOTHING and INSERT OR IGNORE, each parameter once")
    func otherInserts() {
        let pg = SqlDialect.postgres.insertIfAbsent("t", valueColumns: ["a"])
        #expect(pg.sql.hasSuffix("ON CONFLICT (site, location, ts_utc) DO NOTHING") && pg.parameters == [0, 1, 2, 3, 4])
        let lite = SqlDialect.sqlite.insertIfAbsent("t", valueColumns: ["a"])
        #expect(lite.sql.hasPrefix("INSERT OR IGNORE INTO t (site, location, ts_utc, ts_local, a)") && lite.parameters == [0, 1, 2, 3, 4])
        #expect(SqlDialect.postgres.createTable("t", valueColumns: ["a"]).contains("ts_utc TIMESTAMP(3) NOT NULL"))
        #expect(SqlDialect.sqlite.createTable("t", valueColumns: ["a"]).hasPrefix("CREATE TABLE IF NOT EXISTS t ("))
    }

    @Test("the dialect follows the DBMS name the driver reports")
    func dialectOf() {
        #expect(SqlDialect.of(dbmsName: "Microsoft SQL Server") == .tsql)
        #expect(SqlDialect.of(dbmsName: "PostgreSQL") == .postgres)
        #expect(SqlDialect.of(dbmsName: "SQLite") == .sqlite)
        #expect(SqlDialect.of(dbmsName: "Oracle") == nil)
    }

    @Test("table and column names that could inject SQL are refused")
    func names() {
        #expect(SqlDialect.isPlainName("dbo.energy_readings", allowDot: true))
        #expect(!SqlDialect.isPlainName("dbo.energy_readings"))
        #expect(!SqlDialect.isPlainName("x; DROP TABLE y", allowDot: true))
        #expect(!SqlDialect.isPlainName("1abc"))
        var settings = SqlSettings(connection: "x", table: "t;--", site: "s", location: "l", folder: "f", prefix: "p", valueColumns: ["a"])
        #expect(settings.problem?.contains("SqlTable") == true)
        settings.table = "energy"
        #expect(settings.problem == nil)
    }

    @Test("${NAME} reads the environment; a missing variable is named")
    func secrets() throws {
        #expect(try SecretText.expand("Pwd=${P};Uid=${U}", environment: ["P": "s3cret", "U": "sa"]) == "Pwd=s3cret;Uid=sa")
        #expect(try SecretText.expand("no references {x}", environment: [:]) == "no references {x}")
        #expect {
            try SecretText.expand("Pwd=${P}", environment: [:])
        } throws: { error in
            (error as? SecretText.Missing)?.message == "${P} is not set in the environment"
        }
    }

    @Test("the outbox reads rows after the acknowledged cursor, across files, complete lines only")
    func outbox() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "timestamp,a,b\n2026-11-01 00:00:00,1.5,\n2026-11-01 00:05:00,2,3\n".write(toFile: folder + "/log_2026-11-01.csv", atomically: true, encoding: .utf8)
        try "timestamp,b,a\n2026-11-02 00:00:00,7,8\n2026-11-02 00:05:00,9".write(toFile: folder + "/log_2026-11-02.csv", atomically: true, encoding: .utf8)
        try "ignored".write(toFile: folder + "/other_2026-11-01.csv", atomically: true, encoding: .utf8)
        let outbox = CsvOutbox(folder: folder, prefix: "log", table: "t", valueColumns: ["a", "b", "c"])
        #expect(outbox.position(of: "log_2026-11-01.csv") == 0)
        let all = outbox.pending(limit: 10)
        #expect(all.rows.map(\.timestamp) == ["2026-11-01 00:00:00", "2026-11-01 00:05:00", "2026-11-02 00:00:00"])
        #expect(all.rows.map(\.values) == [[1.5, nil, nil], [2, 3, nil], [8, 7, nil]])    // by header name; a missing column is NULL
        #expect(all.more == 0)
        let first = outbox.pending(limit: 2)
        #expect(first.rows.count == 2 && first.more == 1)
        try outbox.acknowledge(Array(first.rows))
        let again = CsvOutbox(folder: folder, prefix: "log", table: "t", valueColumns: ["a", "b", "c"])   // read back from disk
        #expect(again.position(of: "log_2026-11-01.csv") ?? 0 == first.rows[1].next.offset || again.position(of: "log_2026-11-01.csv") == nil)
        #expect(again.pending(limit: 10).rows.map(\.timestamp) == ["2026-11-02 00:00:00"])
    }

    @Test("local time stamps become UTC in the machine's time zone")
    func utc() {
        // The test process's TZ is whatever the machine has; the conversion must agree with Foundation's.
        let utc = SqlTime.utc("2026-11-27 08:30:00")
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone.current
        let date = formatter.date(from: "2026-11-27 08:30:00")!
        formatter.timeZone = TimeZone(identifier: "UTC")
        #expect(utc == formatter.string(from: date) + ".000")
        #expect(SqlTime.utc("garbage") == nil)
    }
}
