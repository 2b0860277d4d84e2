import CUnixODBC
import PLCCore

/// A failed ODBC call: what was being done, and the driver's diagnostics (SQLSTATE, native code, message).
public struct ODBCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the runtime was doing (`connect`, `create table`, `insert`).
    public let operation: String
    /// The first diagnostic's SQLSTATE (`08001` cannot connect, `HYT00` timeout), or empty.
    public let sqlState: String
    /// The driver's native error code.
    public let nativeCode: Int32
    /// Every diagnostic message, joined with `; `.
    public let message: String

    public init(operation: String, sqlState: String, nativeCode: Int32, message: String) {
        self.operation = operation
        self.sqlState = sqlState
        self.nativeCode = nativeCode
        self.message = Self.oneLine(message)
    }

    /// The diagnostics attached to `handle` after a failed call.
    init(_ operation: String, handleType: SQLSMALLINT, handle: SQLHANDLE?) {
        var state = ""
        var native: Int32 = 0
        var messages: [String] = []
        if let handle {
            var record: SQLSMALLINT = 1
            while record <= 5 {
                var sqlState = [SQLCHAR](repeating: 0, count: 6)
                var code: SQLINTEGER = 0
                var text = [SQLCHAR](repeating: 0, count: 1024)
                var length: SQLSMALLINT = 0
                let rc = SQLGetDiagRec(handleType, handle, record, &sqlState, &code, &text, SQLSMALLINT(text.count), &length)
                guard codbc_succeeded(rc) != 0 else { break }
                if record == 1 {
                    state = String(decoding: sqlState.prefix(5), as: UTF8.self)
                    native = code
                }
                let used = min(Int(length), text.count - 1)
                messages.append(Self.oneLine(String(decoding: text.prefix(used), as: UTF8.self)))
                record += 1
            }
        }
        self.init(operation: operation, sqlState: state, nativeCode: native,
                  message: messages.isEmpty ? "no diagnostics from the driver" : messages.joined(separator: "; "))
    }

    /// `text` with each run of line breaks (and the spaces around them) made one `; `: a driver's
    /// multi-line message becomes one log line.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { String($0).trimmingSpaces() }
            .filter { !$0.isEmpty && $0 != ";" }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .joined(separator: "; ")
    }

    /// A one-line description for the error log.
    public var description: String {
        "SQL \(operation) failed" + (sqlState.isEmpty ? "" : " [\(sqlState)]") + ": \(message)"
    }
}
