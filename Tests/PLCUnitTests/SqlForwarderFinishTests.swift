import Foundation
import PLCSql
import Testing

/// `SqlForwarder.finish`: a location removed online sends the rows on disk before its forwarder
/// ends; `stop` leaves them in the outbox. SQLite through the sqliteodbc driver is the server.
@Suite("SqlForwarder.finish sends what the outbox holds, then ends")
struct SqlForwarderFinishTests {
    static func rows(_ db: String) throws -> Int {
        let odbc = try ODBCConnection("Driver=SQLite3;Database=\(db)")
        let result = try odbc.prepare("SELECT COUNT(*) FROM energy_readings", parameters: [], operation: "count").query()
        return Int(result.first?.first.flatMap { $0 } ?? "") ?? -1
    }

    @Test("rows appended after the last pass: finish sends them, stop does not", arguments: [true, false])
    func finishSendsTheRest(finishing: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sqlfinish-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/energy_2026-12-05.csv"
        try "timestamp,total_real_energy\n2026-12-05 10:00:00,1.5\n".write(toFile: file, atomically: true, encoding: .utf8)
        var settings = SqlSettings(connection: "Driver=SQLite3;Database=\(folder)/f.db", table: "energy_readings", site: "s",
                                   location: "Workshop", folder: folder, prefix: "energy", valueColumns: ["total_real_energy"])
        settings.pollInterval = 600_000                 // no second look on its own during the test
        let forwarder = SqlForwarder(settings)
        forwarder.start()
        let deadline = Date().addingTimeInterval(60)
        while forwarder.status.rowsSent < 1 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(forwarder.status.rowsSent == 1, "\(String(describing: forwarder.status.fault))")
        // The logger's last rows, on disk after the forwarder's last look (no nudge).
        let handle = try #require(FileHandle(forWritingAtPath: file))
        handle.seekToEndOfFile()
        handle.write(Data("2026-12-05 10:00:01,1.6\n2026-12-05 10:00:02,1.7\n".utf8))
        try handle.close()
        let ended = finishing ? forwarder.finish(wait: 30) : forwarder.stop()
        #expect(ended)
        #expect(forwarder.hasEnded)
        #expect(try Self.rows("\(folder)/f.db") == (finishing ? 3 : 1))
    }
}
