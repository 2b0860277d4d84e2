import Foundation
import PLCSql
import Testing

/// rx380_main's SQL sink against real servers through their ODBC drivers: PostgreSQL (psqlODBC)
/// and SQLite (sqliteodbc), the same code path; FreeTDS against a port where no SQL Server answers.
@Suite("SQL over ODBC", .serialized)
struct SqlSinkTests {
    static let columns = ["voltage_l12", "voltage_l23", "voltage_l31", "voltage_l1", "voltage_l2", "voltage_l3",
                          "current_l1", "current_l2", "current_l3", "total_real_power", "total_power_factor",
                          "frequency", "total_real_energy"]

    /// The table read back through ODBC: `ts_local` (to the second) and the 13 values, by time.
    static func tableRows(_ connection: String) throws -> [[String?]] {
        let db = try ODBCConnection(connection)
        let select = "SELECT site, location, ts_local, " + columns.joined(separator: ", ")
            + " FROM energy_readings ORDER BY ts_utc"
        return try db.prepare(select, parameters: [], operation: "select").query()
    }

    /// Every CSV row equals its table row cell by cell: the time stamp, and each value (empty = NULL).
    static func expectEqual(csv: [String], table: [[String?]], site: String) {
        #expect(csv.count == table.count, "\(csv.count) CSV rows, \(table.count) table rows")
        for (line, row) in zip(csv, table) {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(row[0] == site && row[1] == "rx380_main")
            #expect(row[2].map { String($0.prefix(19)) } == cells[0], "\(row) vs \(line)")
            for i in columns.indices {
                let cell = cells[i + 1]
                if cell.isEmpty {
                    #expect(row[i + 3] == nil, "\(columns[i]) at \(cells[0]): \(row[i + 3] ?? "")")
                } else {
                    #expect(row[i + 3].flatMap(Double.init) == Double(cell), "\(columns[i]) at \(cells[0]): \(row[i + 3] ?? "nil") vs \(cell)")
                }
            }
        }
    }

    static func sqlLogLines(_ ws: RX380MainTests.Workspace) -> [String] {
        ws.logLines().filter { $0.contains("SQL ") }
    }

    static func waitUntil(_ timeout: TimeInterval, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
    }

    @Test("SQLite through sqliteodbc: every CSV row arrives, cell by cell", .timeLimit(.minutes(10)))
    func sqlite() throws {
        let ws = try RX380MainTests.Workspace()
        let connection = "Driver=SQLite3;Database=\(ws.dir.path)/readings.db"
        let plc = try RX380MainTests.start(ws, ["--simulate", "--set", "SqlConnection=\(connection)", "--set", "Site=pi-1"])
        Thread.sleep(forTimeInterval: 4.5)
        #expect(plc.stop(signal: SIGINT) == 0, "\(plc.errorOutput.suffix(5))")
        // Rows written at the very end are forwarded at the next start: run once more, briefly.
        let again = try RX380MainTests.start(ws, ["--simulate", "--set", "SqlConnection=\(connection)", "--set", "Site=pi-1"])
        Thread.sleep(forTimeInterval: 2)
        #expect(again.stop(signal: SIGINT) == 0)
        let csv = ws.rows()
        let table = try Self.tableRows(connection)
        #expect(csv.count >= 4)
        // The last second's row may be on disk after the sink stopped: it is forwarded at the next start.
        Self.expectEqual(csv: Array(csv.prefix(table.count)), table: table, site: "pi-1")
        #expect(table.count >= csv.count - 1)
        #expect(Self.sqlLogLines(ws).isEmpty, "\(ws.logLines())")
    }

    @Test("PostgreSQL through psqlODBC: rows cell by cell; stopped for a while, every row arrives exactly once",
          .timeLimit(.minutes(10)))
    func postgresOutage() throws {
        let pg = try PostgresServer()
        let ws = try RX380MainTests.Workspace()
        let plc = try RX380MainTests.start(ws, ["--simulate", "--set", "SqlConnection=\(pg.connection)", "--set", "Site=pi-2"])
        Thread.sleep(forTimeInterval: 3)
        pg.stop()
        Thread.sleep(forTimeInterval: 5)                      // rows pile up in the CSV files
        try pg.start()
        let rowsAtRestart = ws.rows().count
        Self.waitUntil(40) { ((try? Self.tableRows(pg.connection).count) ?? 0) >= rowsAtRestart + 1 }
        #expect(plc.stop(signal: SIGINT) == 0, "\(plc.errorOutput.suffix(5))")
        let table = try Self.tableRows(pg.connection)
        let csv = ws.rows()
        Self.expectEqual(csv: Array(csv.prefix(table.count)), table: table, site: "pi-2")
        #expect(table.count >= rowsAtRestart + 1)
        // One ERROR line for the outage and one line when it cleared, however many retries it took.
        let lines = Self.sqlLogLines(ws)
        #expect(lines.filter { $0.contains(" - ERROR - ") }.count == 1, "\(ws.logLines())")
        #expect(ws.logLines().contains { $0.contains(" - INFO - Recovered after") && $0.contains("SQL ") }, "\(ws.logLines())")
    }

    @Test("SIGKILL while a backlog is forwarded: after a restart every CSV row is in PostgreSQL once",
          .timeLimit(.minutes(10)))
    func killDuringForwarding() throws {
        let pg = try PostgresServer()
        let ws = try RX380MainTests.Workspace()
        // A month of 5-minute rows from an earlier run: the backlog (ts from 2026-10-01).
        try FileManager.default.createDirectory(atPath: ws.csv, withIntermediateDirectories: true)
        for day in 1...30 {
            var text = RX380MainTests.header + "\n"
            for slot in 0..<288 {
                let stamp = String(format: "2026-10-%02d %02d:%02d:00", day, slot / 12, slot % 12 * 5)
                text += "\(stamp),398.1,399.5,400.2,229.7,230.1,231.0,10.250,9.875,11.004,\(slot),-0.853,50.02,\(day * 1000 + slot)\n"
            }
            try text.write(toFile: ws.csv + String(format: "/rx380_data_2026-10-%02d.csv", day), atomically: true, encoding: .utf8)
        }
        let arguments = ["--simulate", "--set", "SqlConnection=\(pg.connection)", "--set", "Site=pi-3"]
        let first = try RX380MainTests.start(ws, arguments)
        Self.waitUntil(60) { ((try? Self.tableRows(pg.connection).count) ?? 0) > 500 }
        first.stop(signal: SIGKILL)
        let atKill = try Self.tableRows(pg.connection).count
        #expect(atKill < 30 * 288, "the backlog was done before the kill: the test proves nothing")
        let second = try RX380MainTests.start(ws, arguments)
        Self.waitUntil(120) { ((try? Self.tableRows(pg.connection).count) ?? 0) >= 30 * 288 + 2 }
        #expect(second.stop(signal: SIGINT) == 0)
        let table = try Self.tableRows(pg.connection)
        let csv = ws.rows()
        Self.expectEqual(csv: Array(csv.prefix(table.count)), table: table, site: "pi-3")
        #expect(table.count >= csv.count - 1 && table.count >= 30 * 288)
    }

    @Test("FreeTDS (SQL Server's driver) to a closed port and to a silent one: a clear error, no hang",
          .timeLimit(.minutes(10)))
    func freeTDS() throws {
        let closed = freePort()
        let refused = "Driver=FreeTDS;Server=127.0.0.1;Port=\(closed);Database=energy;UID=sa;PWD=x;TDS_Version=7.4;"
        #expect {
            _ = try ODBCConnection(refused, loginTimeout: 2)
        } throws: { error in
            guard let error = error as? ODBCError else { return false }
            return error.operation == "connect" && error.sqlState.hasPrefix("08") && !error.message.isEmpty
        }
        // A port that accepts TCP but never speaks TDS: the login timeout ends the wait.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, size) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &size) } }
        listen(listener, 4)
        let silent = "Driver=FreeTDS;Server=127.0.0.1;Port=\(UInt16(bigEndian: address.sin_port));Database=energy;UID=sa;PWD=x;TDS_Version=7.4;"
        #expect(throws: ODBCError.self) { _ = try ODBCConnection(silent, loginTimeout: 2) }
    }

    @Test("rx380_main with SQL Server unreachable: the scan goes on, one error line per outage, rows wait in the CSV",
          .timeLimit(.minutes(10)))
    func unreachableServer() throws {
        let ws = try RX380MainTests.Workspace()
        let connection = "Driver=FreeTDS;Server=127.0.0.1;Port=\(freePort());Database=energy;UID=sa;PWD=${PLC_TEST_SQL_PASSWORD};TDS_Version=7.4;"
        setenv("PLC_TEST_SQL_PASSWORD", "secret", 1)
        let plc = try RX380MainTests.start(ws, ["--simulate", "--set", "SqlConnection=\(connection)"])
        Thread.sleep(forTimeInterval: 6)                 // several retries with back-off (1 s, 2 s, 4 s)
        #expect(plc.stop(signal: SIGINT) == 0)
        let errors = Self.sqlLogLines(ws).filter { $0.contains(" - ERROR - ") }
        #expect(errors.count == 1, "\(ws.logLines())")
        #expect(errors.first?.contains("SQL connect failed [08") == true, "\(errors)")
        #expect(ws.rows().count >= 4)
        #expect(!(try String(contentsOfFile: ws.log, encoding: .utf8)).contains("secret"))
    }
}

@Suite("test peers started beside other tests")
struct PeerStartTests {
    @Test("PostgreSQL starts while the test process holds 1,000 descriptors without close-on-exec (as a full run does)")
    func postgresWithManyOpenDescriptors() throws {
        var held: [Int32] = []
        defer { for fd in held { close(fd) } }
        for _ in 0..<1_000 {
            let fd = open("/dev/null", O_RDONLY)   // no O_CLOEXEC: what a child would inherit
            guard fd >= 0 else { break }
            held.append(fd)
        }
        #expect(held.count == 1_000)
        let pg = try PostgresServer()
        let ready = try shell(["\(PostgresServer.bin)/pg_isready", "-h", "127.0.0.1", "-p", "\(pg.port)"])
        #expect(ready.status == 0, "\(ready.output)")
    }
}
