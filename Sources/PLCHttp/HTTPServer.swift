import Dispatch
import Glibc
import PLCCore
import Synchronization

/// The dashboard's HTTP/1.1 server on POSIX sockets: one thread accepts, each connection gets a
/// short-lived thread that reads one request, answers it and closes (`Connection: close`).
///
/// The handler gets the method, the path (the query cut off, nothing decoded), the header fields,
/// the body (bounded) and the peer's address; headers are bounded, slow clients time out.
final class HTTPServer: Sendable {
    /// A request as the handler sees it.
    struct Request: Sendable {
        let method: String
        let path: String
        /// The header fields in order (names as sent).
        var headers: [(name: String, value: String)] = []
        /// The body (at most `maxBody` bytes).
        var body: [UInt8] = []
        /// The peer's address (`127.0.0.1`, `::1`).
        var client = ""
    }

    /// Why the server cannot listen.
    enum Failure: Error {
        /// The host is no numeric address of its family.
        case address
        /// A system call failed: `bind: Address already in use`.
        case system(String)
    }

    /// The port the socket is bound to (the kernel's choice when asked for port 0).
    let port: Int
    private let socket: Int32
    private let handler: @Sendable (Request) -> HTTPResponse
    private let stopping = Atomic<Bool>(false)
    private let connections = Atomic<Int>(0)
    private let acceptEnded = DispatchSemaphore(value: 0)

    /// At most this many connections are served at once; more are closed unanswered.
    static let maxConnections = 32
    /// Limits of one request: the header block and a body (read and dropped).
    static let maxHead = 16_384
    static let maxBody = 1 << 20
    /// A client that sends or reads nothing for this many seconds is dropped.
    static let timeout = 15

    /// Binds `host`:`port` (a numeric IPv4 or IPv6 address), listens, and starts accepting.
    init(host: String, port: UInt16, handler: @escaping @Sendable (Request) -> HTTPResponse) throws(Failure) {
        let ipv6 = host.contains(":")
        let fd = Glibc.socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Self.failure("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int32
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else {
                close(fd)
                throw .address
            }
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
                close(fd)
                throw .address
            }
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard bound == 0 else { let failure = Self.failure("bind"); close(fd); throw failure }
        guard listen(fd, 64) == 0 else { let failure = Self.failure("listen"); close(fd); throw failure }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let portInStorage = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }   // same offset in sockaddr_in6
        }
        self.port = Int(UInt16(bigEndian: portInStorage))
        self.socket = fd
        self.handler = handler
        guard DetachedThread.start(name: "plc-http", stackSize: 256 << 10, { [self] in acceptLoop() }) else {
            close(fd)
            throw .system("no thread for the server")
        }
    }

    /// Stops accepting and closes the listening socket (waits up to 1 s for the accept thread);
    /// connections being served finish by themselves.
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(socket, Int32(SHUT_RDWR))
        _ = acceptEnded.wait(timeout: .now() + 1)
    }

    private static func failure(_ call: String) -> Failure {
        .system("\(call): \(String(cString: strerror(errno)))")
    }

    private func acceptLoop() {
        defer {
            close(socket)
            acceptEnded.signal()
        }
        while !stopping.load(ordering: .acquiring) {
            let client = accept(socket, nil, nil)
            guard client >= 0 else {
                if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM { usleep(100_000) }
                continue
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            guard connections.add(1, ordering: .relaxed).newValue <= Self.maxConnections,
                  DetachedThread.start(name: "plc-http-conn", stackSize: 512 << 10, { [self] in
                      serve(client)
                      connections.subtract(1, ordering: .relaxed)
                  }) else {
                connections.subtract(1, ordering: .relaxed)
                close(client)
                continue
            }
        }
    }

    /// Reads one request from `client`, answers it, and closes the connection.
    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: Self.timeout, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let response: HTTPResponse
        var head = false
        switch readRequest(client) {
        case .success(let request):
            head = request.method == "HEAD"
            response = handler(request)
        case .failure(let refusal):
            let status = refusal.status
            guard status > 0 else { return }   // the client went away or sent nothing
            response = HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")],
                                    body: Array((HTTPResponse.reason(status).lowercased() + "\n").utf8))
        }
        let bytes = response.serialized(head: head)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { if n < 0 && errno == EINTR { continue }; return }
            sent += n
        }
        // Close gracefully: unread bytes at close would make the kernel reset the connection,
        // and the client could lose the reply.
        shutdown(client, Int32(SHUT_WR))
        var drain = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &drain, socklen_t(MemoryLayout<timeval>.size))
        var scratch = [UInt8](repeating: 0, count: 4096)
        while recv(client, &scratch, scratch.count, 0) > 0 {}
    }

    /// A status code for a request that cannot be served (0: nothing to answer).
    private struct Refusal: Error {
        let status: Int
    }

    /// The request line and headers up to the blank line, then the body (dropped).
    private func readRequest(_ client: Int32) -> Result<Request, Refusal> {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var end: Int?
        while end == nil {
            let n = recv(client, &chunk, chunk.count, 0)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return .failure(Refusal(status: 0)) }
            let from = max(data.count - 3, 0)
            data += chunk[0..<n]
            end = Self.blankLine(in: data, from: from)
            if (end ?? data.count) > Self.maxHead { return .failure(Refusal(status: 431)) }
        }
        let headEnd = end!
        let text = String(decoding: data[0..<headEnd], as: UTF8.self)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let parts = lines[0].split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), !parts[0].isEmpty, parts[1].hasPrefix("/") else {
            return .failure(Refusal(status: 400))
        }
        var length = 0
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingSpaces()))
            if line[..<colon].lowercased() == "content-length" {
                guard let value = Int(line[line.index(after: colon)...].filter { $0 != " " && $0 != "\t" }), value >= 0 else {
                    return .failure(Refusal(status: 400))
                }
                length = value
            }
        }
        guard length <= Self.maxBody else { return .failure(Refusal(status: 413)) }
        var body = Array(data[min(headEnd + 4, data.count)...].prefix(length))
        while body.count < length {
            let n = recv(client, &chunk, min(chunk.count, length - body.count), 0)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            body += chunk[0..<n]
        }
        let target = parts[1]
        let path = target.firstIndex(of: "?").map { target[..<$0] } ?? target
        return .success(Request(method: String(parts[0]), path: String(path), headers: headers, body: body,
                                client: Self.peer(client)))
    }

    /// The numeric address of the peer of `client` (`127.0.0.1`, `::1`), empty when unknown.
    private static func peer(_ client: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(client, $0, &length) == 0 }
        }
        guard ok else { return "" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = Int32(storage.ss_family)
        let converted: UnsafePointer<CChar>? = withUnsafePointer(to: &storage) { address in
            if family == AF_INET {
                return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                    withUnsafePointer(to: inet.pointee.sin_addr) { inet_ntop(AF_INET, $0, &text, socklen_t(text.count)) }
                }
            }
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { inet6 in
                withUnsafePointer(to: inet6.pointee.sin6_addr) { inet_ntop(AF_INET6, $0, &text, socklen_t(text.count)) }
            }
        }
        guard converted != nil else { return "" }
        let address = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return address.hasPrefix("::ffff:") ? String(address.dropFirst(7)) : address
    }

    /// The index of the first `\r\n\r\n` in `data` at or after `from`.
    private static func blankLine(in data: [UInt8], from: Int) -> Int? {
        guard data.count >= 4 else { return nil }
        var i = from
        while i + 3 < data.count {
            if data[i] == 13, data[i + 1] == 10, data[i + 2] == 13, data[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }
}
