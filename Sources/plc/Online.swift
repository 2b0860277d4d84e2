import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore

/// `plc online URL [--user NAME] write|force|unforce VARIABLE [VALUE]`, `... reload`, `... list`:
/// the dashboard's online mode from the command line.
struct Online: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write, force or unforce a variable of a running program, or list its values (online mode).",
        discussion: """
            URL is the running program's dashboard (HttpListen), e.g. http://127.0.0.1:8080. Changing a \
            value needs a user of the program's users file (--set UsersFile=PATH): the password comes \
            from PLC_PASSWORD or a prompt. A write takes effect at the start of the next scan; a force holds \
            every scan until unforce (unforce without a variable ends every force: engineers only). A \
            refused request exits 1 with the server's reason.
            """
    )

    @Argument(help: "The dashboard's URL (http://HOST:PORT).")
    var url: String

    @Option(help: "The user to log in as (needed for write, force, unforce, reload).")
    var user: String?

    @Argument(help: "write, force, unforce, reload or list.")
    var action: String

    @Argument(help: "The variable or pin (LogInterval, logTimer.PT).")
    var variable: String?

    @Argument(help: "The value, as an IEC literal of the variable's type (T#1m, TRUE, 42).")
    var value: String?

    func validate() throws {
        guard ["write", "force", "unforce", "reload", "list"].contains(action) else {
            throw ValidationError("the action must be write, force, unforce, reload or list, not '\(action)'")
        }
        if action == "write" || action == "force" {
            guard variable != nil, value != nil else { throw ValidationError("\(action) needs VARIABLE and VALUE") }
        }
        if action != "list" && user == nil { throw ValidationError("\(action) needs --user NAME") }
    }

    func run() throws {
        let server: HTTPTarget
        do { server = try HTTPTarget(url) } catch { throw fail(error.description) }
        if action == "list" { return try list(server) }
        guard let user else { return }
        guard let password = ProcessInfo.processInfo.environment["PLC_PASSWORD"] ?? askPassword() else {
            throw fail("no password (set PLC_PASSWORD or answer the prompt)")
        }
        let login = try exchange(server, "POST", "/api/login", form: ["user": user, "password": password])
        guard login.status == 200, let cookie = login.header("Set-Cookie")?.split(separator: ";").first,
              let csrf = login.field("csrf") else {
            throw fail("refused: \(login.field("error") ?? "login failed (\(login.status))")", code: 1)
        }
        var form: [String: String] = [:]
        if let variable { form["variable"] = variable }
        if let value { form["value"] = value }
        let reply = try exchange(server, "POST", "/api/\(action)", form: form,
                                 headers: [("Cookie", String(cookie)), ("X-CSRF-Token", csrf)])
        guard reply.status == 200 else {
            throw fail("refused: \(reply.field("error") ?? "HTTP \(reply.status)")", code: 1)
        }
        switch action {
        case "write": emit("\(reply.field("written") ?? variable ?? "") := \(value ?? "") (\(reply.field("applies") ?? "at the next scan"))\n")
        case "force": emit("\(reply.field("forced") ?? variable ?? "") forced to \(value ?? "") (\(reply.field("applies") ?? ""))\n")
        case "reload": emit("\(reply.field("reloaded") ?? "reloaded")\n")
        default: emit("\(reply.field("unforced") ?? variable ?? "*") unforced (\(reply.field("applies") ?? ""))\n")
        }
        _ = try? exchange(server, "POST", "/api/logout", form: [:], headers: [("Cookie", String(cookie)), ("X-CSRF-Token", csrf)])
    }

    /// `list`: every variable and pin with its value, one per line (`path : TYPE = value`).
    private func list(_ server: HTTPTarget) throws {
        let reply = try exchange(server, "GET", "/api/online", form: nil)
        guard reply.status == 200 else { throw fail("\(url): HTTP \(reply.status)", code: 1) }
        struct Listing: Decodable {
            struct Instance: Decodable { let name: String; let pins: [Pin] }
            struct Pin: Decodable { let name: String; let type: String; let value: String; let forced: Bool? }
            let instances: [Instance]
        }
        guard let listing = try? JSONDecoder().decode(Listing.self, from: Data(reply.body.utf8)) else {
            throw fail("\(url): /api/online did not answer the expected JSON", code: 1)
        }
        for instance in listing.instances {
            for pin in instance.pins {
                let path = instance.name.isEmpty ? pin.name : "\(instance.name).\(pin.name)"
                emit("\(path) : \(pin.type) = \(pin.value)\(pin.forced == true ? " (forced)" : "")\n")
            }
        }
    }

    private func exchange(_ server: HTTPTarget, _ method: String, _ path: String, form: [String: String]?,
                          headers: [(String, String)] = []) throws -> HTTPReply {
        do {
            return try server.send(method, path, form: form, headers: headers)
        } catch {
            throw fail("\(url): \(error.description)", code: 1)
        }
    }

    private func askPassword() -> String? {
        guard isatty(0) != 0 else { return readLine(strippingNewline: true) }
        guard let typed = getpass("Password for \(user ?? ""): ") else { return nil }
        return String(cString: typed)
    }
}

/// Why a request could not be made.
struct HTTPClientError: Error, CustomStringConvertible {
    let description: String
}

/// The dashboard a command talks to: host and port from an `http://` URL.
struct HTTPTarget {
    let host: String
    let port: String

    init(_ url: String) throws(HTTPClientError) {
        guard url.hasPrefix("http://") else {
            throw HTTPClientError(description: "\(url): expected http://HOST:PORT (plc online speaks plain HTTP: run it on the Pi or through an SSH tunnel)")
        }
        var rest = url.dropFirst("http://".count)
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            port = after.hasPrefix(":") ? String(after.dropFirst()) : "80"
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            port = String(rest[rest.index(after: colon)...])
        } else {
            host = String(rest)
            port = "80"
        }
        guard !host.isEmpty, UInt16(port) != nil else { throw HTTPClientError(description: "\(url): expected http://HOST:PORT") }
    }

    /// Sends one request (a form body when `form` is given) and reads the whole reply.
    func send(_ method: String, _ path: String, form: [String: String]?, headers: [(String, String)]) throws(HTTPClientError) -> HTTPReply {
        let body = form.map { $0.sorted { $0.key < $1.key }.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&") } ?? ""
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if form != nil { request += "Content-Type: application/x-www-form-urlencoded\r\n" }
        request += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, port, &hints, &found) == 0, let first = found else {
            throw HTTPClientError(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(found) }
        var fd: Int32 = -1
        var reason = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                var timeout = timeval(tv_sec: 15, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { break }
                reason = String(cString: strerror(errno))
                close(fd)
                fd = -1
            }
            candidate = info.pointee.ai_next
        }
        guard fd >= 0 else { throw HTTPClientError(description: "cannot connect: \(reason)") }
        defer { close(fd) }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw HTTPClientError(description: "the connection closed while sending") }
            sent += n
        }
        let (data, failed) = FileBytes.rest(of: fd)
        guard !failed || !data.isEmpty else { throw HTTPClientError(description: "no answer: \(String(cString: strerror(errno)))") }
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.firstRange(of: "\r\n\r\n") else { throw HTTPClientError(description: "not an HTTP answer") }
        let head = text[..<split.lowerBound].split(separator: "\r\n")
        let status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let fields = head.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingSpaces())
        }
        return HTTPReply(status: status, headers: fields, body: String(text[split.upperBound...]))
    }

    /// Percent-encodes a form field (everything but unreserved characters).
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(printf: "%%%02X", byte)
            }
        }
        return out
    }
}

/// One answer: status, header fields, body; `field` reads a string field of a JSON object body.
struct HTTPReply {
    let status: Int
    let headers: [(String, String)]
    let body: String

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The string `name` of the JSON object in the body, if any.
    func field(_ name: String) -> String? {
        guard let object = try? JSONDecoder().decode([String: String].self, from: Data(body.utf8)) else { return nil }
        return object[name]
    }
}
