/// The SQL a server understands for the one table the runtime writes: its DDL and an idempotent insert.
///
/// Every dialect gives the same table: `site`, `location`, `ts_utc`, `ts_local`, then one nullable
/// floating-point column per CSV value column, primary key `(site, location, ts_utc)`. The insert
/// adds a row only if its key is absent, so a row sent twice (after a crash between the server's
/// commit and the cursor's) is stored once.
public enum SqlDialect: String, Sendable, CaseIterable {
    /// Microsoft SQL Server (FreeTDS or Microsoft's ODBC Driver 18).
    case tsql
    /// PostgreSQL (psqlODBC).
    case postgres
    /// SQLite (sqliteodbc).
    case sqlite

    /// The dialect of a server, from the DBMS name its driver reports; nil for a server it does not know.
    public static func of(dbmsName: String) -> SqlDialect? {
        let name = dbmsName.lowercased()
        if name.contains("sql server") || name.contains("sybase") { return .tsql }
        if name.contains("postgres") { return .postgres }
        if name.contains("sqlite") { return .sqlite }
        return nil
    }

    /// `CREATE TABLE` if the table is missing.
    public func createTable(_ table: String, valueColumns: [String]) -> String {
        switch self {
        case .tsql:
            let values = valueColumns.map { "    \($0) FLOAT NULL,\n" }.joined()
            let constraint = "PK_" + table.replacingEvery(".", with: "_")
            return "IF OBJECT_ID(N'\(table)', N'U') IS NULL\nCREATE TABLE \(table) (\n"
                + "    site NVARCHAR(64) NOT NULL,\n    location NVARCHAR(64) NOT NULL,\n"
                + "    ts_utc DATETIME2(3) NOT NULL,\n    ts_local DATETIME2(3) NOT NULL,\n" + values
                + "    CONSTRAINT \(constraint) PRIMARY KEY (site, location, ts_utc)\n)"
        case .postgres:
            let values = valueColumns.map { "    \($0) DOUBLE PRECISION NULL,\n" }.joined()
            return "CREATE TABLE IF NOT EXISTS \(table) (\n"
                + "    site VARCHAR(64) NOT NULL,\n    location VARCHAR(64) NOT NULL,\n"
                + "    ts_utc TIMESTAMP(3) NOT NULL,\n    ts_local TIMESTAMP(3) NOT NULL,\n" + values
                + "    PRIMARY KEY (site, location, ts_utc)\n)"
        case .sqlite:
            let values = valueColumns.map { "    \($0) REAL NULL,\n" }.joined()
            return "CREATE TABLE IF NOT EXISTS \(table) (\n"
                + "    site TEXT NOT NULL,\n    location TEXT NOT NULL,\n"
                + "    ts_utc TEXT NOT NULL,\n    ts_local TEXT NOT NULL,\n" + values
                + "    PRIMARY KEY (site, location, ts_utc)\n)"
        }
    }

    /// `CREATE INDEX` on `ts_utc` if missing: with the primary key `(site, location, ts_utc)` (which
    /// `plc report --sql` partitions and orders its windows by), it lets a report for a month read
    /// that month's rows only.
    public func createIndex(_ table: String) -> String {
        let name = table.replacingEvery(".", with: "_") + "_ts_utc"
        switch self {
        case .tsql:
            return "IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_\(name)' AND object_id = OBJECT_ID(N'\(table)'))\n"
                + "CREATE INDEX IX_\(name) ON \(table) (ts_utc)"
        case .postgres, .sqlite:
            return "CREATE INDEX IF NOT EXISTS \(name) ON \(table) (ts_utc)"
        }
    }

    /// The insert-if-absent statement and its parameters, in order: indices into
    /// `[site, location, ts_utc, ts_local] + valueColumns` (T-SQL names the key twice).
    public func insertIfAbsent(_ table: String, valueColumns: [String]) -> (sql: String, parameters: [Int]) {
        let columns = ["site", "location", "ts_utc", "ts_local"] + valueColumns
        let list = columns.joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let all = Array(columns.indices)
        switch self {
        case .tsql:
            return ("INSERT INTO \(table) (\(list))\nSELECT \(marks)\n"
                    + "WHERE NOT EXISTS (SELECT 1 FROM \(table) WITH (UPDLOCK, HOLDLOCK)\n"
                    + "                  WHERE site = ? AND location = ? AND ts_utc = ?)", all + [0, 1, 2])
        case .postgres:
            return ("INSERT INTO \(table) (\(list))\nVALUES (\(marks))\nON CONFLICT (site, location, ts_utc) DO NOTHING", all)
        case .sqlite:
            return ("INSERT OR IGNORE INTO \(table) (\(list))\nVALUES (\(marks))", all)
        }
    }

    /// True for a name usable unquoted as a table (`schema.table` allowed) or column in every dialect.
    public static func isPlainName(_ name: String, allowDot: Bool = false) -> Bool {
        let parts = allowDot ? name.split(separator: ".", omittingEmptySubsequences: false) : [Substring(name)]
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, first == "_" || (first.isASCII && first.isLetter), part.count <= 64 else { return false }
            return part.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        }
    }
}
