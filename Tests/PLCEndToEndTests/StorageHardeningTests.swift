import Foundation
import PLCSql
import Testing

/// Issue 26's storage, SQL and MQTT defects, each pinned end to end against the real peers.
@Suite("hardening: storage, SQL and MQTT (issue 26)", .serialized)
struct StorageHardeningTests {
    typealias Workspace = RX380MainTests.Workspace

    /// The server's processes: the postmaster (`postmaster.pid`) and its children (backends, workers).
    static func postgresProcesses(_ pg: PostgresServer) -> [pid_t] {
        guard let text = try? String(contentsOfFile: pg.folder + "/data/postmaster.pid", encoding: .utf8),
              let first = text.split(separator: "\n").first, let postmaster = pid_t(first) else { return [] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let children = entries.compactMap(pid_t.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == postmaster
        }
        return [postmaster] + children
    }

    /// Every CSV file ends with a line break and every row has the header's 14 cells.
    static func expectWholeRows(_ ws: Workspace) {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: ws.csv)) ?? []).filter { $0.hasSuffix(".csv") }
        #expect(!files.isEmpty)
        for file in files {
            let text = (try? String(contentsOfFile: ws.csv + "/" + file, encoding: .utf8)) ?? ""
            #expect(text.hasSuffix("\n"), "\(file) ends inside a row")
            for line in text.split(separator: "\n") {
                #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == 14, "\(file): \(line)")
            }
        }
    }

    /// Every line of the error log starts with its time stamp: no message spans two lines.
    static func expectOneLinePerEvent(_ ws: Workspace) {
        for line in ws.logLines() {
            #expect(line.count >= 19 && line.prefix(19).allSatisfy { "0123456789-: ".contains($0) }, "\(line)")
        }
    }

    @Test("SIGTERM with PostgreSQL frozen (SIGSTOP): the process exits within 5 s, every CSV row whole (defect 1)",
          .timeLimit(.minutes(3)))
    func frozenServer() throws {
        let pg = try PostgresServer()
        let ws = try Workspace()
        let plc = try RX380MainTests.start(ws, ["--simulate", "--set", "SqlConnection=\(pg.connection)", "--set", "Site=pi-9"])
        SqlSinkTests.waitUntil(30) { ((try? SqlSinkTests.tableRows(pg.connection).count) ?? 0) >= 2 }
        let frozen = Self.postgresProcesses(pg)
        #expect(frozen.count >= 2)
        for pid in frozen { kill(pid, SIGSTOP) }
        defer { for pid in frozen { kill(pid, SIGCONT) } }
        Thread.sleep(forTimeInterval: 2.5)          // the next rows' batch is now waiting for the server
        #expect(plc.stop(signal: SIGTERM, timeout: 5) == 0, "still running 5 s after SIGTERM")
        Self.expectWholeRows(ws)
        Self.expectOneLinePerEvent(ws)
    }

    @Test("SIGTERM while another session locks the table: the process exits within 5 s (defect 1)",
          .timeLimit(.minutes(3)))
    func lockedTable() throws {
        let pg = try PostgresServer()
        let ws = try Workspace()
        let plc = try RX380MainTests.start(ws, ["--simulate", "--set", "SqlConnection=\(pg.connection)", "--set", "Site=pi-9"])
        SqlSinkTests.waitUntil(30) { ((try? SqlSinkTests.tableRows(pg.connection).count) ?? 0) >= 2 }
        let holder = try ODBCConnection(pg.connection)
        try holder.execute("LOCK TABLE energy_readings IN ACCESS EXCLUSIVE MODE", operation: "lock")
        Thread.sleep(forTimeInterval: 2.5)          // an insert now waits for the lock
        #expect(plc.stop(signal: SIGTERM, timeout: 5) == 0, "still running 5 s after SIGTERM")
        holder.rollback()
        Self.expectWholeRows(ws)
        // The rows the stop left behind reach the table at the next start.
        let again = try RX380MainTests.start(ws, ["--simulate", "--set", "SqlConnection=\(pg.connection)", "--set", "Site=pi-9"])
        let written = ws.rows().count
        SqlSinkTests.waitUntil(30) { ((try? SqlSinkTests.tableRows(pg.connection).count) ?? 0) >= written }
        #expect(again.stop(signal: SIGINT) == 0)
        #expect(try SqlSinkTests.tableRows(pg.connection).count >= written)
    }
}
