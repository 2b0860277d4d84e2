import CUnixODBC

/// The kind of one bound parameter.
public enum ODBCParameter: Sendable, Equatable {
    /// Text up to `maxBytes` bytes (site, location).
    case text(maxBytes: Int)
    /// A time stamp given as `YYYY-MM-DD HH:MM:SS.mmm` text; the driver converts it.
    case timestamp
    /// A DOUBLE that may be NULL.
    case double
}

/// A prepared statement whose parameters are bound once to buffers it owns; set them, then `execute`.
///
/// It keeps its connection alive: the statement handle is always freed before the connection's.
public final class ODBCStatement {
    private let connection: ODBCConnection
    private let stmt: SQLHSTMT
    private let operation: String
    private let kinds: [ODBCParameter]
    private let buffers: [UnsafeMutableRawPointer]
    private let sizes: [Int]
    private let indicators: UnsafeMutablePointer<SQLLEN>

    init(connection: ODBCConnection, dbc: SQLHDBC, sql: String, parameters: [ODBCParameter], operation: String,
         queryTimeout: Int) throws(ODBCError) {
        self.connection = connection
        var stmt: SQLHSTMT?
        guard codbc_succeeded(SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_STMT), dbc, &stmt)) != 0, let stmt else {
            throw ODBCError(operation, handleType: SQLSMALLINT(SQL_HANDLE_DBC), handle: dbc)
        }
        self.stmt = stmt
        self.operation = operation
        kinds = parameters
        sizes = parameters.map {
            switch $0 {
            case .text(let maxBytes): maxBytes + 1
            case .timestamp: 32
            case .double: MemoryLayout<Double>.size
            }
        }
        buffers = sizes.map { UnsafeMutableRawPointer.allocate(byteCount: $0, alignment: 8) }
        indicators = .allocate(capacity: max(1, parameters.count))
        indicators.initialize(repeating: SQLLEN(SQL_NULL_DATA), count: max(1, parameters.count))
        // A server that stops answering mid-statement fails the statement instead of holding the worker.
        _ = codbc_set_stmt_int(stmt, SQLINTEGER(SQL_ATTR_QUERY_TIMEOUT), SQLULEN(queryTimeout))
        var bytes = Array(sql.utf8)
        guard codbc_succeeded(SQLPrepare(stmt, &bytes, SQLINTEGER(bytes.count))) != 0 else {
            throw ODBCError(operation, handleType: SQLSMALLINT(SQL_HANDLE_STMT), handle: stmt)
        }
        for (i, kind) in parameters.enumerated() {
            let cType: Int32, sqlType: Int32, columnSize: SQLULEN, digits: SQLSMALLINT
            switch kind {
            case .text(let maxBytes): (cType, sqlType, columnSize, digits) = (SQL_C_CHAR, SQL_VARCHAR, SQLULEN(maxBytes), 0)
            case .timestamp: (cType, sqlType, columnSize, digits) = (SQL_C_CHAR, SQL_TYPE_TIMESTAMP, 23, 3)
            case .double: (cType, sqlType, columnSize, digits) = (SQL_C_DOUBLE, SQL_DOUBLE, 15, 0)
            }
            let rc = SQLBindParameter(stmt, SQLUSMALLINT(i + 1), SQLSMALLINT(SQL_PARAM_INPUT), SQLSMALLINT(cType),
                                      SQLSMALLINT(sqlType), columnSize, digits, buffers[i], SQLLEN(sizes[i]), indicators + i)
            guard codbc_succeeded(rc) != 0 else {
                throw ODBCError(operation, handleType: SQLSMALLINT(SQL_HANDLE_STMT), handle: stmt)
            }
        }
    }

    deinit {
        SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_STMT), stmt)
        for buffer in buffers { buffer.deallocate() }
        indicators.deallocate()
    }

    /// Sets text or time-stamp parameter `i` (0-based); nil is NULL. Text longer than the buffer is cut.
    public func set(_ i: Int, text: String?) {
        guard let text else { indicators[i] = SQLLEN(SQL_NULL_DATA); return }
        let bytes = Array(text.utf8.prefix(sizes[i] - 1))
        bytes.withUnsafeBytes { buffers[i].copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        buffers[i].storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
        indicators[i] = SQLLEN(bytes.count)
    }

    /// Sets DOUBLE parameter `i`; nil is NULL.
    public func set(_ i: Int, double: Double?) {
        guard let double else { indicators[i] = SQLLEN(SQL_NULL_DATA); return }
        buffers[i].storeBytes(of: double, as: Double.self)
        indicators[i] = 0
    }

    /// Executes with the parameters as set.
    public func execute() throws(ODBCError) {
        let rc = SQLExecute(stmt)
        // SQL_NO_DATA: a searched statement that touched no row (an insert-if-absent of a known row).
        guard codbc_succeeded(rc) != 0 || rc == SQLRETURN(SQL_NO_DATA) else {
            throw ODBCError(operation, handleType: SQLSMALLINT(SQL_HANDLE_STMT), handle: stmt)
        }
        _ = SQLFreeStmt(stmt, SQLUSMALLINT(SQL_CLOSE))
    }

    /// Executes, then fetches every row as text cells (nil for NULL): for reading back in tests and tools.
    public func query() throws(ODBCError) -> [[String?]] {
        guard codbc_succeeded(SQLExecute(stmt)) != 0 else {
            throw ODBCError(operation, handleType: SQLSMALLINT(SQL_HANDLE_STMT), handle: stmt)
        }
        defer { _ = SQLFreeStmt(stmt, SQLUSMALLINT(SQL_CLOSE)) }
        var columns: SQLSMALLINT = 0
        _ = SQLNumResultCols(stmt, &columns)
        var rows: [[String?]] = []
        while codbc_succeeded(SQLFetch(stmt)) != 0 {
            var row: [String?] = []
            var cell = [SQLCHAR](repeating: 0, count: 256)
            for c in 0..<Int(columns) { row.append(text(c, &cell)) }
            rows.append(row)
        }
        return rows
    }

    /// Executes, then hands each row to `body` as it is fetched, cells as text (nil for NULL), in
    /// one reused buffer: memory does not grow with the rows. `body` returns false to stop.
    public func forEachRow(_ body: ([String?]) -> Bool) throws(ODBCError) {
        guard codbc_succeeded(SQLExecute(stmt)) != 0 else {
            throw ODBCError(operation, handleType: SQLSMALLINT(SQL_HANDLE_STMT), handle: stmt)
        }
        defer { _ = SQLFreeStmt(stmt, SQLUSMALLINT(SQL_CLOSE)) }
        var columns: SQLSMALLINT = 0
        _ = SQLNumResultCols(stmt, &columns)
        var cell = [SQLCHAR](repeating: 0, count: 256)
        var row = [String?](repeating: nil, count: Int(columns))
        while true {
            let rc = SQLFetch(stmt)
            if rc == SQLRETURN(SQL_NO_DATA) { return }
            guard codbc_succeeded(rc) != 0 else {
                throw ODBCError(operation, handleType: SQLSMALLINT(SQL_HANDLE_STMT), handle: stmt)
            }
            for c in 0..<Int(columns) { row[c] = text(c, &cell) }
            if !body(row) { return }
        }
    }

    /// Cell `c` of the fetched row as text (nil for NULL), read in pieces through `cell` when it is
    /// longer than the buffer (a long text column: the report's slot cache).
    private func text(_ c: Int, _ cell: inout [SQLCHAR]) -> String? {
        let room = cell.count - 1
        var length: SQLLEN = 0
        let got = SQLGetData(stmt, SQLUSMALLINT(c + 1), SQLSMALLINT(SQL_C_CHAR), &cell, SQLLEN(cell.count), &length)
        if codbc_succeeded(got) == 0 || length == SQLLEN(SQL_NULL_DATA) { return nil }
        if length != SQLLEN(SQL_NO_TOTAL) && Int(length) <= room { return String(decoding: cell.prefix(Int(length)), as: UTF8.self) }
        var bytes = Array(cell.prefix(room))
        // The rest in one piece when the driver told its length (a driver may convert the whole
        // value again for every piece), else in pieces of 64 kB.
        var rest = [SQLCHAR](repeating: 0, count: length == SQLLEN(SQL_NO_TOTAL) ? 65_536 : Int(length) - room + 1)
        while true {
            let more = SQLGetData(stmt, SQLUSMALLINT(c + 1), SQLSMALLINT(SQL_C_CHAR), &rest, SQLLEN(rest.count), &length)
            if codbc_succeeded(more) == 0 || length == SQLLEN(SQL_NULL_DATA) { break }
            if length != SQLLEN(SQL_NO_TOTAL) && Int(length) < rest.count {
                bytes += rest.prefix(Int(length))
                break
            }
            bytes += rest.prefix(rest.count - 1)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
