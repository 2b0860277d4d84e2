import Foundation
import PLCSql
import Testing

/// `plc report --sql` with the slot cache (`energy_readings_slots`) gives the same report as without
/// it (`--no-cache`) and as the CSV path, on PostgreSQL and SQLite; a changed month is computed again.
@Suite("plc report --sql slot cache", .serialized)
struct SqlSlotCacheTests {
    typealias Data = SqlReportTests.Data

    /// What the status line on standard error says: location-months read, computed, and locations
    /// computed over the whole range; nil when there is no such line.
    static func status(_ stderr: String) -> (hits: Int, computed: Int, whole: Int)? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix("plc report: slot cache energy_readings_slots: ") }) else {
            return nil
        }
        let numbers = line.dropFirst("plc report: slot cache energy_readings_slots: ".count)
            .split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard numbers.count >= 2 else { return nil }
        return (numbers[0], numbers[1], numbers.count > 2 ? numbers[2] : 0)
    }

    /// The cases: every period, a range inside a month and across months, cost (also with a
    /// 15-minute demand window), opening hours, by location and anomalies.
    static func cases(_ folder: String) throws -> [[String]] {
        let quarterHour = folder + "/quarter-hour.yaml", opening = folder + "/opening.yaml"
        let twoRate = try String(contentsOf: PLCCommand.root.appendingPathComponent("tariffs/two-rate.yaml"), encoding: .utf8)
        try twoRate.replacingOccurrences(of: "window: T#30m", with: "window: T#15m").write(toFile: quarterHour, atomically: true, encoding: .utf8)
        try "opening:\n  - {days: [Mon, Tue, Wed, Thu, Fri], from: \"08:00\", to: \"18:00\"}\n"
            .write(toFile: opening, atomically: true, encoding: .utf8)
        return SqlReportTests.cases + [
            ["--by", "day", "--tariff", quarterHour, "--from", "2026-01-05", "--to", "2026-02-25"],
            ["--by", "hour", "--from", "2026-01-25", "--to", "2026-02-05", "--opening", opening, "--tariff", "two-rate"],
            ["--by", "month", "--from", "2026-01-01", "--to", "2026-02-28"],
            // The spike check changes the rules: its months are cached apart.
            ["--by", "day", "--max-power", "40"],
        ]
    }

    /// Each case three times over `connection`: filling the cache, reading it, and without it; the
    /// three outputs are equal, the second run read location-months from the cache and computed none
    /// of the whole months, and the cached output equals the CSV path's for each site.
    static func equalWithAndWithout(_ data: Data, _ connection: String) throws {
        for arguments in try cases(data.folder) {
            let insight = arguments.contains("--tariff") || arguments.contains("--anomalies") || arguments.contains("--opening")
            let same = { (a: String, b: String) in insight ? SqlReportTests.sameJSON(a, b, tolerance: 0.002) : a == b }
            let run = { (extra: [String]) in
                try PLCCommand.run(["report", "--sql", connection, "--format", "json"] + arguments + extra, timeout: 300)
            }
            let first = try run([]), second = try run([]), plain = try run(["--no-cache"])
            for result in [first, second, plain] { #expect(result.status == 0, "\(arguments): \(result.stderr)") }
            #expect(same(first.stdout, plain.stdout), "\(arguments): the first cached run differs from --no-cache")
            #expect(same(second.stdout, plain.stdout), "\(arguments): the run from the cache differs from --no-cache")
            #expect(status(plain.stderr) == nil, "\(plain.stderr)")
            if arguments.contains("--max-power") {
                #expect(status(first.stderr).map { $0.computed > 0 } == true, "months kept apart: \(first.stderr)")
            }
            // Whole months come from the cache; months only partly inside --from/--to are computed.
            let read = status(second.stderr)
            #expect(read != nil, "\(arguments): \(second.stderr)")
            if !arguments.contains("--from") || arguments.contains("2026-02-28") {
                #expect(read.map { $0.hits > 0 && $0.computed == 0 } == true, "\(arguments): \(second.stderr)")
            }
            for site in Data.sites {
                let csv = try PLCCommand.run(["report", "\(data.folder)/\(site)", "--format", "json"] + arguments)
                let sql = try run(["--site", site])
                #expect(csv.status == 0 && sql.status == 0, "\(csv.stderr) \(sql.stderr)")
                #expect(same(sql.stdout.replacingOccurrences(of: "\"\(site)/", with: "\""), csv.stdout),
                        "\(arguments) \(site): the cached SQL report differs from the CSV report")
            }
        }
    }

    /// A late row in a month already cached, a deleted row and a corrected counter value: each time
    /// the next run computes that one location-month again and equals the report without the cache.
    static func changes(_ connection: String, _ execute: (String) throws -> Void, _ time: (String) -> String) throws {
        let arguments = ["report", "--sql", connection, "--by", "day", "--format", "json"]
        let filled = try PLCCommand.run(arguments, timeout: 300)
        #expect(filled.status == 0, "\(filled.stderr)")
        var before = filled.stdout
        let edits = [
            // Into south/Kitchen's gap across midnight, as a Pi's outbox delivers after an outage.
            "INSERT INTO energy_readings (site, location, ts_utc, ts_local, total_real_power, total_real_energy) "
                + "SELECT 'south', 'Kitchen', \(time("2026-01-21 23:00:00")), \(time("2026-01-22 00:00:00")), 3000, "
                + "total_real_energy + 1.5 FROM energy_readings WHERE site = 'south' AND location = 'Kitchen' "
                + "AND ts_local = \(time("2026-01-21 21:55:00"))",
            "DELETE FROM energy_readings WHERE site = 'north' AND location = 'Hall' AND ts_local = \(time("2026-01-05 12:00:00"))",
            "UPDATE energy_readings SET total_real_energy = total_real_energy + 0.5 "
                + "WHERE site = 'south' AND location = 'Pump' AND ts_local = \(time("2026-02-10 12:00:00"))",
        ]
        for edit in edits {
            try execute(edit)
            let cached = try PLCCommand.run(arguments, timeout: 300)
            let plain = try PLCCommand.run(arguments + ["--no-cache"], timeout: 300)
            #expect(cached.status == 0 && plain.status == 0, "\(cached.stderr) \(plain.stderr)")
            #expect(cached.stdout == plain.stdout, "after \(edit): the cached report differs from --no-cache")
            #expect(cached.stdout != before, "after \(edit): the report did not change")
            #expect(status(cached.stderr)?.computed == 1, "after \(edit): \(cached.stderr)")
            let again = try PLCCommand.run(arguments, timeout: 300)
            #expect(again.stdout == plain.stdout && status(again.stderr)?.computed == 0, "\(again.stderr)")
            before = cached.stdout
        }
    }

    /// north/Pump's local clock goes back an hour on 2026-01-20 (as when daylight saving time ends):
    /// its months around it are replayed on the client, the others come from the cache, and the
    /// report equals the one without the cache (which replays the location's whole range).
    static func clockBack(_ data: Data, _ connection: String, _ execute: (String) throws -> Void, _ time: (String) -> String) throws {
        try execute("UPDATE energy_readings SET ts_local = ts_utc WHERE site = 'north' AND location = 'Pump' "
                    + "AND ts_utc >= \(time("2026-01-20 00:00:00"))")
        let quarterHour = try cases(data.folder).first { $0.contains { $0.hasSuffix("quarter-hour.yaml") } }!
        for arguments in [["--by", "month"], ["--by", "day", "--tariff", "two-rate"], ["--by", "hour", "--from", "2026-01-18", "--to", "2026-01-22"],
                          ["--by", "day", "--from", "2026-02-10", "--to", "2026-02-20", "--anomalies"], quarterHour] {
            let insight = arguments.contains("--tariff") || arguments.contains("--anomalies")
            let run = { (extra: [String]) in
                try PLCCommand.run(["report", "--sql", connection, "--format", "json", "--timing"] + arguments + extra, timeout: 300)
            }
            let first = try run([]), second = try run([]), plain = try run(["--no-cache"])
            for result in [first, second, plain] { #expect(result.status == 0, "\(arguments): \(result.stderr)") }
            for result in [first, second] {
                #expect(insight ? SqlReportTests.sameJSON(result.stdout, plain.stdout, tolerance: 0.002) : result.stdout == plain.stdout,
                        "\(arguments): with the clock going back, the cached report differs from --no-cache")
            }
            if arguments == ["--by", "month"] {
                #expect(second.stderr.contains("replayed on the client: north/Kitchen, north/Pump\n"), "\(second.stderr)")
                #expect(status(second.stderr).map { $0.hits == 18 && $0.computed == 0 && $0.whole == 0 } == true, "\(second.stderr)")
            }
        }
    }

    @Test("PostgreSQL: cached == uncached == CSV; changed months computed again; a read-only role", .timeLimit(.minutes(20)))
    func postgres() throws {
        let data = try Data()
        defer { try? FileManager.default.removeItem(atPath: data.folder) }
        let pg = try SqlReportTests.loadPostgres(data)
        try SqlReportTests.psql(pg, ["CREATE ROLE reader LOGIN", "GRANT SELECT ON energy_readings TO reader"])
        let reader = pg.connection.replacingOccurrences(of: "Uid=postgres", with: "Uid=reader")
        let month = ["report", "--by", "month", "--format", "json"]
        // A role that may not create the cache: the report from the rows, one line naming the table.
        let denied = try PLCCommand.run(month + ["--sql", reader], timeout: 300)
        #expect(denied.status == 0, "\(denied.stderr)")
        let lines = denied.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("energy_readings_slots cannot be created") && lines[0].contains("permission denied"),
                "\(denied.stderr)")
        try Self.equalWithAndWithout(data, pg.connection)
        let plain = try PLCCommand.run(month + ["--sql", pg.connection, "--no-cache"], timeout: 300)
        #expect(denied.stdout == plain.stdout)
        // The cache made by another user: not readable by the role, then readable but not writable.
        let unreadable = try PLCCommand.run(month + ["--sql", reader], timeout: 300)
        #expect(unreadable.status == 0 && unreadable.stdout == plain.stdout, "\(unreadable.stderr)")
        #expect(unreadable.stderr.contains("energy_readings_slots cannot be created"), "\(unreadable.stderr)")
        try SqlReportTests.psql(pg, ["GRANT SELECT ON energy_readings_slots TO reader", "GRANT CREATE ON SCHEMA public TO reader",
                                     "DELETE FROM energy_readings_slots WHERE site = 'north' AND location = 'Hall'"])
        let daily = ["report", "--by", "day", "--format", "json"]
        let readOnly = try PLCCommand.run(daily + ["--sql", reader], timeout: 300)
        let fresh = try PLCCommand.run(daily + ["--sql", pg.connection, "--no-cache"], timeout: 300)
        #expect(readOnly.status == 0 && readOnly.stdout == fresh.stdout, "\(readOnly.stderr)")
        let read = Self.status(readOnly.stderr)
        #expect(read.map { $0.hits > 0 && $0.computed > 0 } == true, "\(readOnly.stderr)")
        #expect(readOnly.stderr.contains("energy_readings_slots cannot be written") && readOnly.stderr.contains("permission denied"),
                "\(readOnly.stderr)")
        try Self.changes(pg.connection, { try SqlReportTests.psql(pg, [$0]) }, { "TIMESTAMP '\($0)'" })
        try Self.clockBack(data, pg.connection, { try SqlReportTests.psql(pg, [$0]) }, { "TIMESTAMP '\($0)'" })
    }

    @Test("SQLite: cached == uncached == CSV; changed months computed again", .timeLimit(.minutes(20)))
    func sqlite() throws {
        let data = try Data()
        defer { try? FileManager.default.removeItem(atPath: data.folder) }
        let connection = try SqlReportTests.loadSQLite(data)
        try Self.equalWithAndWithout(data, connection)
        let execute = { (sql: String) in
            let result = try shell(["sqlite3", data.folder + "/readings.db", sql + ";"], timeout: 60)
            try #require(result.status == 0, "\(result.output)")
        }
        try Self.changes(connection, execute, { "'\($0).000'" })
        try Self.clockBack(data, connection, execute, { "'\($0).000'" })
    }
}
