public import PLCCore

/// The `HttpListen` tunable parsed: `127.0.0.1:8080`, `8080` (loopback), `0.0.0.0:8080`, `[::1]:8080`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The numeric host (`127.0.0.1`, `::1`).
    public let host: String
    public let port: UInt16
    /// True for an IPv6 host.
    public var isIPv6: Bool { host.contains(":") }

    /// Parses `text`; a bare port listens on loopback only. Errors name the tunable.
    public init(_ text: String) throws(SourceError) {
        func fail(_ why: String) -> SourceError {
            SourceError(file: "HttpListen '\(text)'", line: nil, "\(why) (expected HOST:PORT, e.g. 127.0.0.1:8080)")
        }
        let trimmed = text.trimmingSpaces()
        var host = "127.0.0.1"
        var portText = trimmed
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]"), trimmed[trimmed.index(after: close)...].hasPrefix(":") else {
                throw fail("an IPv6 host is written [ADDRESS]:PORT")
            }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            portText = String(trimmed[trimmed.index(close, offsetBy: 2)...])
        } else if let colon = trimmed.lastIndex(of: ":") {
            host = String(trimmed[..<colon])
            portText = String(trimmed[trimmed.index(after: colon)...])
            if host.isEmpty || host == "localhost" { host = "127.0.0.1" }
        }
        guard let port = UInt16(portText) else { throw fail("'\(portText)' is not a port number 0 to 65535") }
        if host.contains(":") {
            guard host.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { throw fail("'\(host)' is not an IPv6 address") }
        } else {
            let parts = host.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else {
                throw fail("'\(host)' is not an IPv4 address")
            }
        }
        self.host = host
        self.port = port
    }

    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
