#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// What the SQL sink needs to know, fixed when it starts.
public struct SqlSettings: Sendable, Equatable {
    /// The ODBC connection string; `${NAME}` references are replaced from the environment when connecting.
    public var connection: String
    public var table: String
    public var site: String
    public var location: String
    /// The CSV folder and file prefix the outbox reads (the CSVLogger's `sFolder` and `sPrefix`).
    public var folder: String
    public var prefix: String
    /// The value columns after `timestamp`, as in the CSV header.
    public var valueColumns: [String]
    /// Seconds a connect may take (SQL_ATTR_LOGIN_TIMEOUT).
    public var loginTimeout: Int = 10
    /// Back-off between failed attempts, doubling from the first to the second, in milliseconds.
    public var retryMin: Int64 = 1_000
    public var retryMax: Int64 = 60_000
    /// How often the files are looked at when no new row was announced, in milliseconds.
    public var pollInterval: Int64 = 10_000
    /// Rows per transaction.
    public var batchSize: Int = 200

    public init(connection: String, table: String, site: String, location: String, folder: String, prefix: String,
                valueColumns: [String]) {
        self.connection = connection
        self.table = table
        self.site = site
        self.location = location
        self.folder = folder
        self.prefix = prefix
        self.valueColumns = valueColumns
    }

    /// The first problem that makes these settings unusable, in words; nil when they are fine.
    public var problem: String? {
        if !SqlDialect.isPlainName(table, allowDot: true) { return "SqlTable '\(table)' is not a plain table name (letters, digits, _; schema.table)" }
        if let bad = valueColumns.first(where: { !SqlDialect.isPlainName($0) }) { return "column '\(bad)' is not a plain column name" }
        if valueColumns.isEmpty { return "no value columns" }
        return nil
    }
}
