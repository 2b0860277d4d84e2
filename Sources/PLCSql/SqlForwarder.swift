#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore
import PLCStorage

/// The SQL sink's worker thread: forwards CSV rows from the outbox to the server, beside the scan.
///
/// Connects (login timeout), creates the table if missing, then sends the rows after the cursor in
/// transactions of `batchSize`; the cursor moves only after the server committed. Any failure drops
/// the connection and retries with back-off (doubling up to `retryMax`); the state (`fault`) is a
/// level the block shows, so the program's ErrorLatch logs one line per outage.
public final class SqlForwarder: @unchecked Sendable {
    /// What the block reads each scan.
    public struct Status: Sendable, Equatable {
        public var fault: ODBCError?
        public var rowsSent: UInt64 = 0
        public var rowsPending: Int = 0
        public var attempts: UInt64 = 0
    }

    public let settings: SqlSettings
    private let outbox: CsvOutbox
    private let condition = ThreadCondition()
    // Guarded by `condition`.
    private var state = Status()
    private var stopping = false
    /// Set by `finish`: end once the outbox is empty (or the server fails).
    private var finishing = false
    private var nudged = false
    private let thread = WorkerThread()
    // Worker thread only.
    private var connection: ODBCConnection?
    private var insert: ODBCStatement?
    private var parameterOrder: [Int] = []

    public init(_ settings: SqlSettings) {
        self.settings = settings
        outbox = CsvOutbox(folder: settings.folder, prefix: settings.prefix, table: settings.table,
                           valueColumns: settings.valueColumns)
    }

    public var status: Status { condition.withLock { state } }

    /// True once the worker thread has ended (after `stop`, or because it died).
    public var hasEnded: Bool { thread.hasEnded }

    public func start() {
        thread.start(name: "plc.sql") { [self] in loop() }
    }

    /// How long `stop` waits for a connect or statement in progress before it gives the worker up.
    public static let stopWait = 2.0

    /// Ends the worker. A connect or statement in progress gets `wait` seconds to finish; a worker
    /// stuck longer (a frozen server, a locked table) is given up: the process can exit, the server
    /// drops the uncommitted transaction with the connection, and the rows stay in the outbox because
    /// the cursor moves only after a commit. Returns false when the worker was given up.
    @discardableResult
    public func stop(wait: Double = SqlForwarder.stopWait) -> Bool {
        end(joining: wait, said: wait)
    }

    /// Tells the worker to stop, waits `wait` seconds for it, and says so when it is given up
    /// after `said` seconds in all.
    private func end(joining wait: Double, said: Double) -> Bool {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
        let finished = thread.join(timeout: wait)
        if !finished {
            Console.write("SQL: the worker did not finish within \(Int(said)) s (a frozen server or a locked table); "
                          + "its rows stay in the CSV outbox and are sent at the next start\n", to: 2)
        }
        return finished
    }

    /// Sends what the outbox holds, then ends: for a location an online change removed, whose last
    /// rows are on disk. A server that has not taken them within `wait` seconds, or fails, leaves
    /// them in the outbox (sent when the location runs again), as `stop` does. Returns false when
    /// the worker was given up.
    @discardableResult
    public func finish(wait: Double = SqlForwarder.stopWait) -> Bool {
        condition.withLock {
            finishing = true
            nudged = true
            condition.broadcast()
        }
        return thread.join(timeout: wait) || end(joining: 0, said: wait)
    }

    /// A new row may be on disk: look now instead of at the next poll.
    public func nudge() {
        condition.withLock {
            nudged = true
            condition.signal()
        }
    }

    private func loop() {
        var backoff = settings.retryMin
        while !condition.withLock({ stopping }) {
            var wait = settings.pollInterval
            do {
                let more = try forwardOnce()
                condition.withLock { state.fault = nil }
                backoff = settings.retryMin
                if more { wait = 0 } else if condition.withLock({ finishing }) { break }
            } catch {
                if condition.withLock({ finishing }) { break }
                insert = nil
                connection = nil
                condition.withLock { state.fault = error }
                wait = backoff
                backoff = min(backoff * 2, settings.retryMax)
            }
            condition.withLock {
                let until = Date(timeIntervalSinceNow: Double(wait) / 1000)
                while !stopping && wait > 0 && !(nudged && state.fault == nil) {
                    if !condition.wait(until: until) { break }
                }
                nudged = false
            }
        }
        insert = nil
        connection = nil
    }

    /// Sends one batch; true when more rows are waiting.
    private func forwardOnce() throws(ODBCError) -> Bool {
        let (rows, more) = outbox.pending(limit: settings.batchSize)
        condition.withLock { state.rowsPending = rows.count + more }
        guard !rows.isEmpty else {
            if connection == nil { try connect() }       // an unreachable server is a fault even with nothing to send
            return false
        }
        if connection == nil { try connect() }
        guard let connection, let insert else { return false }
        condition.withLock { state.attempts += 1 }
        do throws(ODBCError) {
            for row in rows {
                guard let utc = SqlTime.utc(row.timestamp) else { continue }
                let keys = [settings.site, settings.location, utc, SqlTime.local(row.timestamp)]
                for (i, source) in parameterOrder.enumerated() {
                    if source < keys.count { insert.set(i, text: keys[source]) } else { insert.set(i, double: row.values[source - keys.count]) }
                }
                try insert.execute()
            }
            try connection.commit()
        } catch {
            connection.rollback()
            throw error
        }
        // The server has the rows: only now does the cursor move. A crash before this line resends them.
        try outbox.acknowledge(rows)
        condition.withLock {
            state.rowsSent += UInt64(rows.count)
            state.rowsPending = more
        }
        return more > 0
    }

    private func connect() throws(ODBCError) {
        if let problem = settings.problem { throw ODBCError(operation: "settings", sqlState: "", nativeCode: 0, message: problem) }
        let text: String
        do {
            text = try SecretText.expand(settings.connection)
        } catch {
            throw ODBCError(operation: "settings", sqlState: "", nativeCode: 0, message: "SqlConnection: \(error.message)")
        }
        let connection = try ODBCConnection(text, loginTimeout: settings.loginTimeout)
        guard let dialect = SqlDialect.of(dbmsName: connection.dbmsName) else {
            throw ODBCError(operation: "connect", sqlState: "", nativeCode: 0,
                            message: "the server '\(connection.dbmsName)' is none of SQL Server, PostgreSQL, SQLite")
        }
        // Forwarders of several locations start together, and PostgreSQL's CREATE ... IF NOT EXISTS
        // is not safe against a concurrent one (a unique violation on the catalog, or "type already
        // exists"): once the other has committed, a second try finds the table and does nothing. A
        // real failure (no right to create) fails the second try too, and that is the fault.
        do throws(ODBCError) {
            try createTable(connection, dialect)
        } catch {
            connection.rollback()
            try createTable(connection, dialect)
        }
        let (sql, order) = dialect.insertIfAbsent(settings.table, valueColumns: settings.valueColumns)
        let kinds: [ODBCParameter] = order.map { $0 < 2 ? .text(maxBytes: 64) : $0 < 4 ? .timestamp : .double }
        insert = try connection.prepare(sql, parameters: kinds, operation: "insert")
        parameterOrder = order
        self.connection = connection
    }

    private func createTable(_ connection: ODBCConnection, _ dialect: SqlDialect) throws(ODBCError) {
        try connection.execute(dialect.createTable(settings.table, valueColumns: settings.valueColumns), operation: "create table")
        try connection.execute(dialect.createIndex(settings.table), operation: "create index")
        try connection.commit()
    }
}
