import Glibc

/// A minimal blocking HTTP/1.1 client for loopback: `plc bench-dashboard`'s polling client and the tests'.
///
/// The request line carries `path` exactly as given (no normalising), so tests can send traversal attempts.
public enum LoopbackClient {
    /// One reply: status code, header block, body text.
    public struct Reply: Sendable {
        public let status: Int
        public let headers: String
        public let body: String
    }

    /// Sends one request to 127.0.0.1:`port` and reads the reply until the server closes; nil on any socket failure.
    public static func request(port: Int, path: String, method: String = "GET", body: String = "") -> Reply? {
        let request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        guard let text = exchange(port: port, Array(request.utf8)),
              let split = text.firstRange(of: "\r\n\r\n") else { return nil }
        let head = String(text[..<split.lowerBound])
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return Reply(status: status, headers: head, body: String(text[split.upperBound...]))
    }

    /// Connects to 127.0.0.1:`port`, sends `bytes` as they are (a server may answer and close before
    /// all are sent), and reads until the server closes; nil when it could not connect.
    public static func exchange(port: Int, _ bytes: [UInt8]) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }
}
