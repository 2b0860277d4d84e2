import CUnixODBC

/// One ODBC connection that owns its environment and connection handles (freed on deinit).
///
/// The driver is chosen by the connection string (`Driver=FreeTDS;...`, `Driver=PostgreSQL Unicode;...`,
/// `Driver=SQLite3;Database=...`); the login timeout bounds how long a connect may block.
/// Transactions are explicit: autocommit is off, `commit()` ends one.
public final class ODBCConnection {
    private var env: SQLHENV?
    private var dbc: SQLHDBC?
    /// Seconds a statement may run before the driver cancels it (SQL_ATTR_QUERY_TIMEOUT).
    public let queryTimeout: Int
    /// The server's product name as the driver reports it (`PostgreSQL`, `SQLite`, `Microsoft SQL Server`).
    public let dbmsName: String

    /// Connects with `connectionString`; a server that does not answer fails within `loginTimeout` seconds.
    public init(_ connectionString: String, loginTimeout: Int = 10, queryTimeout: Int = 30) throws(ODBCError) {
        self.queryTimeout = max(1, queryTimeout)
        var env: SQLHENV?
        guard codbc_succeeded(SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_ENV), nil, &env)) != 0, let env else {
            throw ODBCError(operation: "connect", sqlState: "", nativeCode: 0, message: "cannot allocate an ODBC environment")
        }
        self.env = env
        _ = codbc_set_env_int(env, SQLINTEGER(SQL_ATTR_ODBC_VERSION), SQLULEN(SQL_OV_ODBC3))
        var dbc: SQLHDBC?
        guard codbc_succeeded(SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_DBC), env, &dbc)) != 0, let dbc else {
            SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_ENV), env)
            throw ODBCError("connect", handleType: SQLSMALLINT(SQL_HANDLE_ENV), handle: env)
        }
        self.dbc = dbc
        _ = codbc_set_connect_int(dbc, SQLINTEGER(SQL_LOGIN_TIMEOUT), SQLULEN(max(1, loginTimeout)))
        _ = codbc_set_connect_int(dbc, SQLINTEGER(SQL_ATTR_CONNECTION_TIMEOUT), SQLULEN(max(1, queryTimeout)))
        var bytes = Array(connectionString.utf8)
        let rc = SQLDriverConnect(dbc, nil, &bytes, SQLSMALLINT(bytes.count), nil, 0, nil, SQLUSMALLINT(SQL_DRIVER_NOPROMPT))
        guard codbc_succeeded(rc) != 0 else {
            let error = ODBCError("connect", handleType: SQLSMALLINT(SQL_HANDLE_DBC), handle: dbc)
            SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_DBC), dbc)
            SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_ENV), env)
            self.dbc = nil
            self.env = nil
            throw error
        }
        _ = codbc_set_connect_int(dbc, SQLINTEGER(SQL_ATTR_AUTOCOMMIT), SQLULEN(SQL_AUTOCOMMIT_OFF))
        var name = [SQLCHAR](repeating: 0, count: 128)
        var length: SQLSMALLINT = 0
        if codbc_succeeded(SQLGetInfo(dbc, SQLUSMALLINT(SQL_DBMS_NAME), &name, SQLSMALLINT(name.count), &length)) != 0 {
            dbmsName = String(decoding: name.prefix(min(Int(length), name.count - 1)), as: UTF8.self)
        } else {
            dbmsName = ""
        }
    }

    deinit {
        if let dbc {
            _ = SQLEndTran(SQLSMALLINT(SQL_HANDLE_DBC), dbc, SQLSMALLINT(SQL_ROLLBACK))
            SQLDisconnect(dbc)
            SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_DBC), dbc)
        }
        if let env { SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_ENV), env) }
    }

    /// Runs one statement with no parameters and no result.
    public func execute(_ sql: String, operation: String) throws(ODBCError) {
        let statement = try prepare(sql, parameters: [], operation: operation)
        try statement.execute()
    }

    /// Prepares `sql` with one bound parameter per entry of `parameters`.
    public func prepare(_ sql: String, parameters: [ODBCParameter], operation: String) throws(ODBCError) -> ODBCStatement {
        guard let dbc else { throw ODBCError(operation: operation, sqlState: "08003", nativeCode: 0, message: "not connected") }
        return try ODBCStatement(connection: self, dbc: dbc, sql: sql, parameters: parameters, operation: operation,
                                 queryTimeout: queryTimeout)
    }

    /// Commits the open transaction.
    public func commit() throws(ODBCError) {
        guard let dbc else { return }
        guard codbc_succeeded(SQLEndTran(SQLSMALLINT(SQL_HANDLE_DBC), dbc, SQLSMALLINT(SQL_COMMIT))) != 0 else {
            throw ODBCError("commit", handleType: SQLSMALLINT(SQL_HANDLE_DBC), handle: dbc)
        }
    }

    /// Rolls the open transaction back (errors are ignored: the connection is dropped after a failure anyway).
    public func rollback() {
        guard let dbc else { return }
        _ = SQLEndTran(SQLSMALLINT(SQL_HANDLE_DBC), dbc, SQLSMALLINT(SQL_ROLLBACK))
    }
}
