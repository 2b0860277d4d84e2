import Glibc
import PLCCore
@testable import PLCHttp
import Testing

/// The dashboard's own HTTP/1.1 server, on a loopback port, spoken to over plain sockets.
@Suite("HTTP server: one request per connection, bounded, GET/HEAD")
struct HTTPServerTests {
    /// A server whose handler echoes the method and path it was given.
    static func echo() throws -> HTTPServer {
        try HTTPServer(host: "127.0.0.1", port: 0) { request in
            HTTPResponse(headers: [("Content-Type", "text/plain")], body: Array("\(request.method) \(request.path)\n".utf8))
        }
    }


    @Test("GET gets status line, headers with Content-Length and Connection: close, and the body; the query is cut off")
    func get() throws {
        let server = try Self.echo()
        defer { server.stop() }
        let reply = try #require(LoopbackClient.request(port: server.port, path: "/api/values?x=1"))
        #expect(reply.status == 200)
        #expect(reply.body == "GET /api/values\n")
        #expect(reply.headers.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(reply.headers.contains("Content-Length: 16\r\n") && reply.headers.contains("Connection: close"))
    }

    @Test("HEAD gets the headers and the length of the body, but no body")
    func head() throws {
        let server = try Self.echo()
        defer { server.stop() }
        let reply = try #require(LoopbackClient.request(port: server.port, path: "/", method: "HEAD"))
        #expect(reply.status == 200 && reply.headers.contains("Content-Length: 7\r\n") && reply.body.isEmpty)
    }

    @Test("a request with a body gets its whole reply (the body is read, not left to reset the connection)")
    func body() throws {
        let server = try Self.echo()
        defer { server.stop() }
        let payload = String(repeating: "x", count: 200_000)
        let reply = try #require(LoopbackClient.request(port: server.port, path: "/metrics", method: "POST", body: payload))
        #expect(reply.status == 200 && reply.body == "POST /metrics\n")
    }

    @Test("a header block over 16 KiB is 431, a malformed request line 400, and the server goes on serving")
    func refusals() throws {
        let server = try Self.echo()
        defer { server.stop() }
        let long = "GET / HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: 20_000) + "\r\n\r\n"
        #expect(LoopbackClient.exchange(port: server.port, Array(long.utf8))?.hasPrefix("HTTP/1.1 431 ") == true)
        #expect(LoopbackClient.exchange(port: server.port, Array("HELLO\r\n\r\n".utf8))?.hasPrefix("HTTP/1.1 400 ") == true)
        #expect(LoopbackClient.exchange(port: server.port, Array("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n".utf8))?.hasPrefix("HTTP/1.1 400 ") == true)
        #expect(LoopbackClient.request(port: server.port, path: "/")?.status == 200)
    }

    /// A socket connected to 127.0.0.1:`port`, or -1.
    static func connectLoopback(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); return -1 }
        return fd
    }

    @Test("a client that connects and sends nothing does not hold up the next one")
    func silentClient() throws {
        let server = try Self.echo()
        defer { server.stop() }
        let idle = Self.connectLoopback(server.port)
        defer { close(idle) }
        #expect(idle >= 0)
        #expect(LoopbackClient.request(port: server.port, path: "/online")?.body == "GET /online\n")
    }

    @Test("slowloris: /metrics is answered within 2 s while 40 connections dribble their heads a byte at a time")
    func slowClientsDoNotLockOut() throws {
        let server = try Self.echo()
        defer { server.stop() }
        let slow = (0..<40).map { _ in Self.connectLoopback(server.port) }
        defer { for fd in slow where fd >= 0 { close(fd) } }
        #expect(slow.allSatisfy { $0 >= 0 })
        // One byte per connection every 300 ms for 1.5 s: every slot is taken by a client that is
        // still sending, and a per-recv timeout would never fire.
        let head = Array("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8)
        for i in 0..<5 {
            for fd in slow where fd >= 0 { _ = send(fd, [head[i]], 1, Int32(MSG_NOSIGNAL)) }
            usleep(300_000)
        }
        let start = MonotonicTime.nanoseconds()
        let reply = LoopbackClient.request(port: server.port, path: "/metrics")
        let elapsed = Double(MonotonicTime.nanoseconds() - start) / 1e9
        #expect(reply?.status == 200 && reply?.body == "GET /metrics\n", "no answer while slow clients held the server")
        #expect(elapsed < 2, "answered after \(elapsed) s")
    }

    @Test("a request has one deadline in all: a client sending a byte every 200 ms gets 408 when it is over")
    func wholeRequestDeadline() throws {
        let server = try HTTPServer(host: "127.0.0.1", port: 0, timeout: 1) { _ in HTTPResponse(body: []) }
        defer { server.stop() }
        let fd = Self.connectLoopback(server.port)
        defer { close(fd) }
        let head = Array("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaa".utf8)
        var answered = false
        var got = ""
        var scratch = [UInt8](repeating: 0, count: 512)
        // At most 25 bytes (5 s): the 1 s deadline must end it long before.
        for byte in head.prefix(25) {
            _ = send(fd, [byte], 1, Int32(MSG_NOSIGNAL))
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, 200) > 0 {
                let n = recv(fd, &scratch, scratch.count, 0)
                got = n > 0 ? String(decoding: scratch[0..<n], as: UTF8.self) : "closed (\(n))"
                answered = got.hasPrefix("HTTP/1.1 408 ")
                break
            }
        }
        #expect(answered, "the server kept reading a request past its deadline: \(got)")
    }

    @Test("RFC 9112: a bare-LF request is answered, an absolute-form target is served, malformed versions are refused")
    func conformance() throws {
        let server = try Self.echo()
        defer { server.stop() }
        let bareLF = LoopbackClient.exchange(port: server.port, Array("GET /values HTTP/1.1\nHost: 127.0.0.1\n\n".utf8))
        #expect(bareLF?.hasPrefix("HTTP/1.1 200 ") == true && bareLF?.hasSuffix("\r\n\r\nGET /values\n") == true, "\(bareLF ?? "nil")")
        let absolute = LoopbackClient.exchange(port: server.port, Array(
            "GET http://127.0.0.1:\(server.port)/metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        #expect(absolute?.hasSuffix("\r\n\r\nGET /metrics\n") == true, "\(absolute ?? "nil")")
        let bare = LoopbackClient.exchange(port: server.port, Array("GET HTTP://127.0.0.1 HTTP/1.0\r\n\r\n".utf8))
        #expect(bare?.hasSuffix("\r\n\r\nGET /\n") == true, "\(bare ?? "nil")")
        for version in ["HTTP/1.banana", "HTTP/1.", "HTTP/1.10", "HTTP/x.1", "http/1.1"] {
            let reply = LoopbackClient.exchange(port: server.port, Array("GET / \(version)\r\n\r\n".utf8))
            #expect(reply?.hasPrefix("HTTP/1.1 400 ") == true, "\(version): \(reply ?? "nil")")
        }
        #expect(LoopbackClient.exchange(port: server.port, Array("GET / HTTP/2.0\r\n\r\n".utf8))?.hasPrefix("HTTP/1.1 505 ") == true)
        #expect(LoopbackClient.exchange(port: server.port, Array("GET ftp://x/ HTTP/1.1\r\n\r\n".utf8))?.hasPrefix("HTTP/1.1 400 ") == true)
    }

    @Test("a port in use is 'bind: Address already in use'; after stop() the port is free again")
    func portInUse() throws {
        let first = try Self.echo()
        let port = UInt16(first.port)
        #expect(throws: HTTPServer.Failure.self) { try HTTPServer(host: "127.0.0.1", port: port) { _ in HTTPResponse(body: []) } }
        do {
            _ = try HTTPServer(host: "127.0.0.1", port: port) { _ in HTTPResponse(body: []) }
        } catch {
            guard case .system(let why) = error else { Issue.record("\(error)"); return }
            #expect(why == "bind: Address already in use")
        }
        first.stop()
        let second = try HTTPServer(host: "127.0.0.1", port: port) { _ in HTTPResponse(body: []) }
        second.stop()
    }
}
