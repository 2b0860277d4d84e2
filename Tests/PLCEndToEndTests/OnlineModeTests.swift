import Foundation
import PLCHttp
import Testing

/// The online mode against the real server of `plc run programs/rx380_main --simulate`: logins,
/// refusals, roles, and a force that holds scan after scan on the `--monitor` output until unforced.
@Suite(.serialized) struct OnlineModeTests {
    /// A users file with an operator and an engineer, written by `plc user add`.
    static func usersFile() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-online-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("users").path
        for (name, role) in [("olga", "operator"), ("erik", "engineer")] {
            let added = try UserCommandTests.plc(["user", "add", name, "--role", role, "--file", file], input: "\(name)-password\n")
            guard added.status == 0 else { throw PeerError("plc user add: \(added.stderr)") }
        }
        return file
    }

    /// One POST with a form body and optional cookie and CSRF header.
    struct Reply {
        let status: Int
        let headers: String
        let body: String
    }

    static func post(_ port: Int, _ path: String, _ form: String, cookie: String? = nil, csrf: String? = nil) -> Reply? {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        if let cookie { head += "Cookie: plc_session=\(cookie)\r\n" }
        if let csrf { head += "X-CSRF-Token: \(csrf)\r\n" }
        head += "Content-Length: \(form.utf8.count)\r\n\r\n\(form)"
        guard let text = LoopbackClient.exchange(port: port, Array(head.utf8)), let split = text.firstRange(of: "\r\n\r\n") else { return nil }
        let headers = String(text[..<split.lowerBound])
        let status = Int(headers.split(separator: " ").dropFirst().first ?? "") ?? 0
        return Reply(status: status, headers: headers, body: String(text[split.upperBound...]))
    }

    static func json(_ reply: Reply?) -> [String: String] {
        guard let body = reply?.body, let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return [:] }
        return object.compactMapValues { $0 as? String }
    }

    /// Logs in; the session cookie and the CSRF token.
    static func login(_ port: Int, _ user: String) throws -> (cookie: String, csrf: String) {
        let reply = post(port, "/api/login", "user=\(user)&password=\(user)-password")
        guard reply?.status == 200, let headers = reply?.headers,
              let line = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("set-cookie: plc_session=") }),
              let csrf = json(reply)["csrf"] else { throw PeerError("login as \(user) failed: \(reply?.status ?? 0) \(reply?.body ?? "")") }
        #expect(line.contains("HttpOnly") && line.contains("SameSite=Strict"))
        let token = line.dropFirst("set-cookie: plc_session=".count).prefix { $0 != ";" }
        return (String(token), csrf)
    }

    @Test func writesNeedALoginACSRFTokenAndTheRole() throws {
        let users = try Self.usersFile()
        let run = try DashboardRun(extra: ["--set", "UsersFile=\(users)", "--set", "FailuresToRaise=3"])
        let port = run.port
        // No login: refused, nothing changes.
        #expect(Self.post(port, "/api/write", "variable=PollInterval&value=T%23300ms")?.status == 401)
        #expect(Self.post(port, "/api/write", "variable=PollInterval&value=T%23300ms", cookie: "0123abcd", csrf: "x")?.status == 401)
        #expect(Self.post(port, "/api/login", "user=olga&password=wrong")?.status == 401)
        let olga = try Self.login(port, "olga")
        // A missing or wrong CSRF token is refused.
        #expect(Self.post(port, "/api/write", "variable=PollInterval&value=T%23300ms", cookie: olga.cookie)?.status == 403)
        #expect(Self.post(port, "/api/write", "variable=PollInterval&value=T%23300ms", cookie: olga.cookie, csrf: olga.cookie)?.status == 403)
        // An operator may write a variable marked online: write, not another one.
        let refused = Self.post(port, "/api/write", "variable=FailuresToRaise&value=9", cookie: olga.cookie, csrf: olga.csrf)
        #expect(refused?.status == 403 && Self.json(refused)["error"]?.contains("not marked online: write") == true)
        let bad = Self.post(port, "/api/write", "variable=PollInterval&value=fast", cookie: olga.cookie, csrf: olga.csrf)
        #expect(bad?.status == 400 && Self.json(bad)["error"]?.contains("PollInterval : TIME") == true)
        #expect(Self.post(port, "/api/write", "variable=PollInterval&value=T%23300ms", cookie: olga.cookie, csrf: olga.csrf)?.status == 200)
        // An engineer may write anything.
        let erik = try Self.login(port, "erik")
        #expect(Self.post(port, "/api/write", "variable=FailuresToRaise&value=9", cookie: erik.cookie, csrf: erik.csrf)?.status == 200)
        // The values changed at the next scan: /api/online shows them.
        let deadline = Date().addingTimeInterval(10)
        var seen: [String: String] = [:]
        while Date() < deadline {
            seen = try Self.programValues(port)
            if seen["PollInterval"] == "T#300ms" && seen["FailuresToRaise"] == "16#0009" { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(seen["PollInterval"] == "T#300ms" && seen["FailuresToRaise"] == "16#0009")
        // Every login, failed login and write is an audit line in the error log.
        let log = try String(contentsOf: run.folder.appendingPathComponent("rx380.log"), encoding: .utf8)
        #expect(log.contains("INFO - online: from 127.0.0.1: failed login as 'olga'"))
        #expect(log.contains("INFO - online: olga (operator) from 127.0.0.1: login"))
        #expect(log.contains("INFO - online: olga (operator) from 127.0.0.1: write PollInterval T#500ms -> T#300ms"))
        #expect(log.contains("INFO - online: erik (engineer) from 127.0.0.1: write FailuresToRaise 16#0003 -> 16#0009"))
        #expect(!log.contains("T#999"))
    }

    @Test func anExpiredSessionIsRefused() throws {
        let users = try Self.usersFile()
        // A hidden setting for tests: sessions end after 1 s without a request (30 min by default).
        let run = try DashboardRun(extra: ["--set", "UsersFile=\(users)"], environment: ["PLC_SESSION_IDLE": "T#1s"])
        let olga = try Self.login(run.port, "olga")
        #expect(Self.post(run.port, "/api/write", "variable=PollInterval&value=T%23400ms", cookie: olga.cookie, csrf: olga.csrf)?.status == 200)
        // Idle for longer than that (what is tested is time passing, so the test waits it out).
        Thread.sleep(forTimeInterval: 1.5)
        let expired = Self.post(run.port, "/api/write", "variable=PollInterval&value=T%23300ms", cookie: olga.cookie, csrf: olga.csrf)
        #expect(expired?.status == 401 && Self.json(expired)["error"]?.contains("expired") == true, "\(expired?.body ?? "")")
        let log = try String(contentsOf: run.folder.appendingPathComponent("rx380.log"), encoding: .utf8)
        #expect(log.contains("write PollInterval T#500ms -> T#400ms") && !log.contains("-> T#300ms"))
    }

    /// The program variables of /api/online, by name.
    static func programValues(_ port: Int) throws -> [String: String] {
        let reply = try HTTP.request(port: port, path: "/api/online")
        guard let json = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any],
              let instances = json["instances"] as? [[String: Any]],
              let program = instances.first(where: { ($0["name"] as? String) == "" }),
              let pins = program["pins"] as? [[String: Any]] else { throw PeerError("bad /api/online") }
        var values: [String: String] = [:]
        for pin in pins { if let name = pin["name"] as? String { values[name] = pin["value"] as? String } }
        return values
    }

    @Test func aForceHoldsEveryScanUntilUnforced() throws {
        let users = try Self.usersFile()
        let run = try DashboardRun(extra: ["--set", "UsersFile=\(users)", "--monitor", "PollInterval,pollTimer.PT"])
        let url = "http://127.0.0.1:\(run.port)"
        func online(_ arguments: [String], user: String = "erik") throws -> PLCCommand.Result {
            try PLCCommand.run(["online", url, "--user", user] + arguments, environment: ["PLC_PASSWORD": "\(user)-password"])
        }
        // A wrong password and a pin an operator may not force are refused with the reason, exit 1.
        let wrong = try PLCCommand.run(["online", url, "--user", "erik", "force", "pollTimer.PT", "T#100ms"],
                                       environment: ["PLC_PASSWORD": "nope"])
        #expect(wrong.status == 1 && wrong.stderr.contains("wrong user name or password"))
        let operatorForce = try online(["force", "pollTimer.PT", "T#100ms"], user: "olga")
        #expect(operatorForce.status == 1 && operatorForce.stderr.contains("not marked online: write"))
        // The engineer forces the timer's PT pin: the wire from PollInterval no longer reaches it.
        let forced = try online(["force", "pollTimer.PT", "T#100ms"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let start = run.process.output.count
        guard run.process.waitForLine(from: start, timeout: 20, { $0.hasSuffix(",T#500ms,T#100ms") }) != nil else {
            Issue.record("the force never showed on the monitor")
            return
        }
        // 50 scans later it still holds, every scan, and the page and list mark it.
        let first = run.process.output.count
        // The monitor's rows, not the other stdout lines between them (the Display's table).
        let rows = run.process.waitForLines(from: first, count: 50, timeout: 180) { $0.first?.isNumber == true }
        #expect(rows.count == 50)
        #expect(rows.allSatisfy { $0.hasSuffix(",T#500ms,T#100ms") }, "\(rows.filter { !$0.hasSuffix(",T#500ms,T#100ms") }.prefix(3))")
        let list = try PLCCommand.run(["online", url, "list"])
        #expect(list.stdout.contains("pollTimer.PT : TIME = T#100ms (forced)"))
        let metrics = try HTTP.request(port: run.port, path: "/metrics").body
        #expect(metrics.contains("plc_forced_variables{site=") && metrics.contains("} 1"))
        // Unforce: the wire's value is back at the next scan.
        let released = try online(["unforce", "pollTimer.PT"])
        #expect(released.status == 0, "\(released.stderr)")
        let after = run.process.output.count
        #expect(run.process.waitForLine(from: after, timeout: 20, { $0.hasSuffix(",T#500ms,T#500ms") }) != nil)
        let log = try String(contentsOf: run.folder.appendingPathComponent("rx380.log"), encoding: .utf8)
        #expect(log.contains("erik (engineer) from 127.0.0.1: force pollTimer.PT T#500ms -> T#100ms"))
        #expect(log.contains("erik (engineer) from 127.0.0.1: unforce pollTimer.PT (was forced to T#100ms)"))
    }

    @Test func chromiumLogsInForcesAndSeesItMarked() throws {
        let users = try Self.usersFile()
        let run = try DashboardRun(extra: ["--set", "UsersFile=\(users)"])
        let driver = try BackgroundProcess("/usr/bin/env", ["python3", "Tests/peers/chromium_online.py", String(run.port),
                                                          "olga", "olga-password", "LogInterval", "T#10s"])
        driver.process.waitUntilExit()
        let text = driver.output.joined(separator: "\n")
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            Issue.record("no answer from the Chromium driver: \(text) \(driver.errorOutput.suffix(5))")
            return
        }
        #expect(json["who"] as? String == "olga (operator)")
        #expect((json["answer"] as? String)?.contains("LogInterval T#10s") == true, "\(json)")
        #expect(json["forcedRow"] as? Bool == true, "\(json)")
        #expect(json["mark"] as? String == "F")
        #expect((json["banner"] as? String)?.contains("1 forced: LogInterval = T#10s") == true, "\(json)")
        let log = try String(contentsOf: run.folder.appendingPathComponent("rx380.log"), encoding: .utf8)
        #expect(log.contains("olga (operator) from 127.0.0.1: force LogInterval T#1d -> T#10s"), "\(log)")
    }
}
