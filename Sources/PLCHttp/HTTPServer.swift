import Dispatch
import Glibc
import PLCCore
import Synchronization

/// The dashboard's HTTP/1.1 server on POSIX sockets: one thread accepts, each connection gets a
/// short-lived thread that reads one request, answers it and closes (`Connection: close`).
///
/// The handler gets the method, the path (the query cut off, nothing decoded), the header fields,
/// the body (bounded) and the peer's address; headers are bounded, slow clients time out.
///
/// Slow clients (slowloris): a whole exchange has one deadline (`timeout`), not one per `recv`; and
/// when every slot is taken, a new connection takes the slot of the client that has spent longest
/// (over `evictAfter`) sending its request head, so a few dribbling clients cannot lock others out.
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
    /// The connections still reading their request head, with when they were accepted (monotonic ns).
    /// A connection leaves it before its socket is closed, under the same lock the evicting accept
    /// thread holds, so a socket is never shut down after its number was reused.
    private let readers = Mutex<[Int32: Int64]>([:])
    /// `timeout` in ns.
    private let requestTimeout: Int64
    private let acceptEnded = DispatchSemaphore(value: 0)

    /// At most this many connections are served at once; more are closed unanswered.
    static let maxConnections = 32
    /// Limits of one request: the header block and a body (read and dropped).
    static let maxHead = 16_384
    static let maxBody = 1 << 20
    /// A client must send its request and take the answer within this many seconds, in all.
    static let timeout = 15
    /// When the server is full, a client still sending its head after this many ns loses its slot.
    static let evictAfter: Int64 = 1_000_000_000

    /// Binds `host`:`port` (a numeric IPv4 or IPv6 address), listens, and starts accepting; each
    /// exchange must be over within `timeout` seconds.
    init(host: String, port: UInt16, timeout: Int = HTTPServer.timeout,
         handler: @escaping @Sendable (Request) -> HTTPResponse) throws(Failure) {
        requestTimeout = Int64(timeout) * 1_000_000_000
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
            let admitted = connections.add(1, ordering: .relaxed).newValue <= Self.maxConnections || evictSlowestReader()
            readers.withLock { $0[client] = MonotonicTime.nanoseconds() }
            guard admitted, DetachedThread.start(name: "plc-http-conn", stackSize: 512 << 10, { [self] in
                      serve(client)
                      connections.subtract(1, ordering: .relaxed)
                  }) else {
                connections.subtract(1, ordering: .relaxed)
                readers.withLock { _ = $0.removeValue(forKey: client) }
                close(client)
                continue
            }
        }
    }

    /// Shuts down the connection that has been sending its head longest, if that is over `evictAfter`:
    /// its thread wakes up, finds the connection closed and frees the slot. True when one was found.
    private func evictSlowestReader() -> Bool {
        let now = MonotonicTime.nanoseconds()
        return readers.withLock { readers in
            guard let (fd, since) = readers.min(by: { $0.value < $1.value }), now - since > Self.evictAfter else { return false }
            readers[fd] = nil
            shutdown(fd, Int32(SHUT_RDWR))
            return true
        }
    }

    /// Reads one request from `client`, answers it, and closes the connection.
    private func serve(_ client: Int32) {
        defer { close(client) }
        let deadline = MonotonicTime.nanoseconds() + requestTimeout
        let response: HTTPResponse
        var head = false
        let request = readRequest(client, deadline: deadline)
        readers.withLock { _ = $0.removeValue(forKey: client) }
        switch request {
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
        // The answer (a 408 too) gets at least a second, even when the request used up the deadline.
        let sendBy = max(deadline, MonotonicTime.nanoseconds() + 1_000_000_000)
        var sent = 0
        while sent < bytes.count {
            guard Self.wait(client, for: Int16(POLLOUT), until: sendBy) else { return }
            let n = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if n <= 0 { return }
            sent += n
        }
        // Close gracefully: unread bytes at close would make the kernel reset the connection,
        // and the client could lose the reply. At most 1 s more, within the deadline.
        shutdown(client, Int32(SHUT_WR))
        let drainEnd = min(sendBy, MonotonicTime.nanoseconds() + 1_000_000_000)
        var scratch = [UInt8](repeating: 0, count: 4096)
        while Self.wait(client, for: Int16(POLLIN), until: drainEnd),
              recv(client, &scratch, scratch.count, Int32(MSG_DONTWAIT)) > 0 {}
    }

    /// Waits until `fd` is ready for `events` (or has hung up); false once `deadline` (monotonic ns) has passed.
    private static func wait(_ fd: Int32, for events: Int16, until deadline: Int64) -> Bool {
        while true {
            let left = deadline - MonotonicTime.nanoseconds()
            guard left > 0 else { return false }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&entry, 1, Int32(min(left / 1_000_000 + 1, 60_000)))
            if n > 0 { return true }
            if n < 0 && errno != EINTR { return false }
        }
    }

    /// A status code for a request that cannot be served (0: nothing to answer).
    private struct Refusal: Error {
        let status: Int
    }

    /// Reads up to `chunk.count` bytes before `deadline`: the count, 0 when the client closed, nil on timeout.
    private static func receive(_ client: Int32, _ chunk: inout [UInt8], count: Int, until deadline: Int64) -> Int? {
        while true {
            guard wait(client, for: Int16(POLLIN), until: deadline) else { return nil }
            let n = recv(client, &chunk, count, Int32(MSG_DONTWAIT))
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            return max(n, 0)
        }
    }

    /// The request line and headers up to the blank line, then the body (dropped); all before `deadline`.
    private func readRequest(_ client: Int32, deadline: Int64) -> Result<Request, Refusal> {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var end: (head: Int, body: Int)?
        while end == nil {
            guard let n = Self.receive(client, &chunk, count: chunk.count, until: deadline) else {
                return .failure(Refusal(status: data.isEmpty ? 0 : 408))
            }
            guard n > 0 else { return .failure(Refusal(status: 0)) }
            let from = max(data.count - 3, 0)
            data += chunk[0..<n]
            end = Self.headEnd(in: data, from: from)
            if (end?.head ?? data.count) > Self.maxHead { return .failure(Refusal(status: 431)) }
        }
        let (headEnd, bodyStart) = end!
        // Lines end in CRLF, or a bare LF (RFC 9112, 2.2: a recipient may take LF as the line end).
        let lines = data[0..<headEnd].split(separator: 10, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self)
        }
        let parts = lines[0].split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let path = Self.path(of: parts[1]) else {
            return .failure(Refusal(status: 400))
        }
        switch Self.majorVersion(parts[2]) {
        case 1: break
        case nil: return .failure(Refusal(status: 400))
        default: return .failure(Refusal(status: 505))
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
        var body = Array(data[min(bodyStart, data.count)...].prefix(length))
        while body.count < length {
            guard let n = Self.receive(client, &chunk, count: min(chunk.count, length - body.count), until: deadline), n > 0 else { break }
            body += chunk[0..<n]
        }
        return .success(Request(method: String(parts[0]), path: path, headers: headers, body: body, client: Self.peer(client)))
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

    /// The path of a request target without its query: origin form (`/metrics?x`) or absolute form
    /// (`http://host:port/metrics`, RFC 9112, 3.2.2); nil for anything else.
    static func path(of target: Substring) -> String? {
        var rest = target
        for scheme in ["http://", "https://"] where rest.lowercased().hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            rest = rest.firstIndex(where: { $0 == "/" || $0 == "?" }).map { rest[$0...] } ?? ""
            if !rest.hasPrefix("/") { rest = "/" + rest }
            break
        }
        guard rest.hasPrefix("/") else { return nil }
        return String(rest.firstIndex(of: "?").map { rest[..<$0] } ?? rest)
    }

    /// The major version of `HTTP/x.y` (one digit each, RFC 9112, 2.3); nil when malformed.
    static func majorVersion(_ version: Substring) -> Int? {
        let bytes = Array(version.utf8)
        guard bytes.count == 8, version.hasPrefix("HTTP/"), bytes[6] == UInt8(ascii: "."),
              (48...57).contains(bytes[5]), (48...57).contains(bytes[7]) else { return nil }
        return Int(bytes[5] - 48)
    }

    /// Where the head ends in `data` (searched from `from`): the end of its last line, and where the
    /// body starts after the empty line. CRLF and bare LF both end a line.
    private static func headEnd(in data: [UInt8], from: Int) -> (head: Int, body: Int)? {
        var i = from
        while i + 1 < data.count {
            if data[i] == 10 {
                if data[i + 1] == 10 { return (i, i + 2) }
                if i + 2 < data.count, data[i + 1] == 13, data[i + 2] == 10 { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }
}
