import Glibc
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

    @Test("a client that connects and sends nothing does not hold up the next one")
    func silentClient() throws {
        let server = try Self.echo()
        defer { server.stop() }
        let idle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(idle) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(server.port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(idle, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        #expect(LoopbackClient.request(port: server.port, path: "/online")?.body == "GET /online\n")
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
