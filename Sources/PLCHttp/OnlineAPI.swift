import PLCAuth
import PLCCore
import PLCGraph

/// The dashboard's write access: login, logout, write, force and unforce, behind a session cookie
/// and a CSRF token, as in Codesys's online mode with user management.
///
/// Every route takes a form body (`application/x-www-form-urlencoded`, what an HTML form sends)
/// and answers JSON. A request is checked here, on the server's thread, against the program's
/// catalog (the name exists, the value parses as its type, the role may write it) and handed to the
/// scan thread, which applies it at the start of its next scan and writes the audit line.
struct OnlineAPI: Sendable {
    /// What the API needs of a request: method, path, header fields, body and the peer's address.
    struct Request: Sendable {
        let method: String
        let path: String
        let headers: [(name: String, value: String)]
        let body: [UInt8]
        let peer: String

        init(method: String, path: String, headers: [(name: String, value: String)], body: [UInt8], client: String) {
            self.method = method
            self.path = path
            self.headers = headers
            self.body = body
            peer = client
        }

        /// Who is asking, for the login limit and the audit line: the peer, or behind a reverse proxy
        /// on this machine (the peer is loopback), the address the proxy puts last in `X-Forwarded-For`.
        var client: String {
            guard peer == "127.0.0.1" || peer == "::1" || peer == "::ffff:127.0.0.1",
                  let forwarded = header("X-Forwarded-For")?.split(separator: ",").last?.trimmingSpaces(),
                  !forwarded.isEmpty else { return peer }
            return OnlineAPI.printable(forwarded)
        }

        /// TRUE when a reverse proxy says the browser talked HTTPS to it (the cookie is then `Secure`).
        var viaHTTPS: Bool { header("X-Forwarded-Proto")?.lowercased() == "https" }

        /// The first header field called `name` (any case).
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        /// The value of cookie `name`.
        func cookie(_ name: String) -> String? {
            for field in headers where field.name.lowercased() == "cookie" {
                for pair in field.value.split(separator: ";") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
                    if parts.count == 2 && parts[0] == name { return parts[1] }
                }
            }
            return nil
        }
    }

    static let routes: Set<String> = ["/api/login", "/api/logout", "/api/session", "/api/write", "/api/force", "/api/unforce",
                                      "/api/reload"]
    /// The session cookie's name.
    static let cookie = "plc_session"

    let catalog: OnlineCatalog
    /// nil: no users file, so write access is off.
    let sessions: Sessions?
    /// Monotonic milliseconds (sessions expire on it).
    let now: @Sendable () -> Int64
    /// Loads the edited program folder as an online change, for `by` (an audit name); answers
    /// whether it was applied and the summary line or the reasons it was refused. nil: not offered.
    var reload: (@Sendable (_ by: String) -> (applied: Bool, message: String))? = nil

    /// The answer to `request`, or nil when its path is not one of the API's.
    func handle(_ request: Request) -> HTTPResponse? {
        guard Self.routes.contains(request.path) else { return nil }
        if request.path == "/api/session" {
            guard request.method == "GET" || request.method == "HEAD" else { return methodNotAllowed("GET") }
            return whoAmI(request)
        }
        guard request.method == "POST" else { return methodNotAllowed("POST") }
        guard let sessions else {
            return json(403, ["error": "write access is off: start the program with --set UsersFile=PATH (plc user add)"])
        }
        let form = Self.form(request.body)
        switch request.path {
        case "/api/login": return login(request, form, sessions)
        case "/api/logout": return logout(request, form, sessions)
        default: return change(request, form, sessions)
        }
    }

    private func whoAmI(_ request: Request) -> HTTPResponse {
        guard let sessions, case .success(let session) = sessions.session(token: request.cookie(Self.cookie), now: now()) else {
            return json(200, ["user": "", "role": "", "writeAccess": sessions == nil ? "off" : "login"])
        }
        return json(200, ["user": session.user, "role": session.role.rawValue, "csrf": session.csrf, "writeAccess": "on"])
    }

    private func login(_ request: Request, _ form: [String: String], _ sessions: Sessions) -> HTTPResponse {
        let user = form["user"] ?? ""
        switch sessions.login(user: user, password: form["password"] ?? "", client: request.client, now: now()) {
        case .success(let session):
            catalog.control.submit(.note("login"), by: "\(session.user) (\(session.role.rawValue)) from \(request.client)")
            var response = json(200, ["user": session.user, "role": session.role.rawValue, "csrf": session.csrf])
            response.headers.append(("Set-Cookie", "\(Self.cookie)=\(session.token); Path=/; HttpOnly; SameSite=Strict"
                                     + (request.viaHTTPS ? "; Secure" : "")))
            return response
        case .failure(let refusal):
            catalog.control.submit(.note("failed login as '\(Self.printable(user))': \(refusal)"), by: "from \(request.client)")
            if case .throttled(let seconds) = refusal {
                var response = json(429, ["error": refusal.description])
                response.headers.append(("Retry-After", "\(seconds)"))
                return response
            }
            return json(401, ["error": refusal.description])
        }
    }

    private func logout(_ request: Request, _ form: [String: String], _ sessions: Sessions) -> HTTPResponse {
        let token = request.cookie(Self.cookie)
        if case .failure(let denial) = sessions.authorise(token: token, csrf: csrf(request, form), now: now()) {
            return denied(denial)
        }
        if let token { sessions.logout(token: token) }
        var response = json(200, ["user": ""])
        response.headers.append(("Set-Cookie", "\(Self.cookie)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"))
        return response
    }

    /// `/api/write`, `/api/force`, `/api/unforce`: `variable` (and `value`; unforce without a
    /// variable ends every force).
    private func change(_ request: Request, _ form: [String: String], _ sessions: Sessions) -> HTTPResponse {
        let session: Sessions.Session
        switch sessions.authorise(token: request.cookie(Self.cookie), csrf: csrf(request, form), now: now()) {
        case .success(let found): session = found
        case .failure(let denial): return denied(denial)
        }
        let who = "\(session.user) (\(session.role.rawValue)) from \(request.client)"
        if request.path == "/api/reload" {
            guard session.role.permits(.onlineChange) else {
                return json(403, ["error": "\(session.user) is \(session.role == .viewer ? "a" : "an") \(session.role.rawValue): only an engineer may load an online change"])
            }
            guard let reload else {
                return json(501, ["error": "online change is not available for this program: restart it to load the edited files"])
            }
            let outcome = reload(who)
            return outcome.applied ? json(200, ["reloaded": outcome.message]) : json(409, ["error": outcome.message])
        }
        let variable = form["variable"] ?? ""
        if request.path == "/api/unforce" {
            if variable.isEmpty || variable == "*" {
                guard session.role.permits(.write(markedWritable: false)) else {
                    return json(403, ["error": "only an engineer may end every force at once; name the variable"])
                }
                catalog.control.submit(.unforceAll, by: who)
                return json(200, ["unforced": "*", "applies": "at the next scan"])
            }
            guard let entry = catalog.entry(variable) else { return json(400, ["error": "no variable or pin named '\(variable)'"]) }
            guard session.role.permits(.write(markedWritable: entry.operatorMayWrite)) else { return notYours(session, entry.path) }
            catalog.control.submit(.unforce(entry.path), by: who)
            return json(200, ["unforced": entry.path, "applies": "at the next scan"])
        }
        guard let text = form["value"] else { return json(400, ["error": "missing value"]) }
        do throws(IECError) {
            let (change, entry) = try catalog.request(force: request.path == "/api/force", variable, text)
            guard session.role.permits(.write(markedWritable: entry.operatorMayWrite)) else { return notYours(session, entry.path) }
            catalog.control.submit(change, by: who)
            return json(200, [request.path == "/api/force" ? "forced" : "written": entry.path, "value": text,
                              "applies": "at the next scan"])
        } catch {
            return json(400, ["error": error.message])
        }
    }

    private func notYours(_ session: Sessions.Session, _ path: String) -> HTTPResponse {
        json(403, ["error": "\(session.user) is \(session.role == .viewer ? "a" : "an") \(session.role.rawValue): \(path) is not marked online: write"])
    }

    private func csrf(_ request: Request, _ form: [String: String]) -> String? {
        request.header("X-CSRF-Token") ?? form["csrf"]
    }

    private func denied(_ denial: Sessions.Denial) -> HTTPResponse {
        json(denial == .badCSRF ? 403 : 401, ["error": denial.description])
    }

    private func methodNotAllowed(_ allowed: String) -> HTTPResponse {
        var response = json(405, ["error": "method not allowed (\(allowed))"])
        response.headers.append(("Allow", allowed))
        return response
    }

    /// A JSON object of strings.
    private func json(_ status: Int, _ fields: [String: String]) -> HTTPResponse {
        let text = "{" + fields.sorted { $0.key < $1.key }.map { "\(JSONText.string($0.key)):\(JSONText.string($0.value))" }
            .joined(separator: ",") + "}\n"
        return HTTPResponse(status: status, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                                                      ("X-Content-Type-Options", "nosniff")], body: Array(text.utf8))
    }

    /// A user name as it may appear in a log line: printable ASCII, at most 64 characters.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(64).map { (0x20..<0x7f).contains($0.value) ? $0 : "?" }))
    }

    /// The fields of a form body (`a=1&b=x%20y`; `+` is a space).
    static func form(_ body: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: UInt8(ascii: "&")) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return fields
    }

    /// Percent-decodes `bytes` (`+` is a space); nil when the result is not UTF-8.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), i + 2 < bytes.endIndex,
                      let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 2
            } else {
                out.append(byte)
            }
            i += 1
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
