import Foundation
import PLCAuth
import PLCCore
import Testing

/// The users file and `plc user`: Argon2id hashes from libsodium, checked by argon2-cffi (a peer this
/// project did not write) both ways, and the sessions' expiry, CSRF and login limits.
@Suite struct UserCommandTests {
    /// Runs `plc` with `input` on standard input (not a terminal, so the password is one line).
    static func plc(_ arguments: [String], input: String) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = PLCCommand.executable
        process.arguments = arguments
        let stdin = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// argon2-cffi's answer for `arguments` (`verify FILE NAME PASSWORD` or `hash PASSWORD`).
    static func peer(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", PLCCommand.root.appendingPathComponent("Tests/peers/argon2_check.py").path] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-users-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("users").path
    }

    @Test func addWritesAnArgon2idHashThatAForeignVerifierAccepts() throws {
        let file = try Self.scratch()
        let added = try Self.plc(["user", "add", "alice", "--role", "operator", "--file", file], input: "correct horse\n")
        #expect(added.status == 0, "\(added.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try Self.peer(["verify", file, "alice", "correct horse"]) == (0, "match operator"))
        #expect(try Self.peer(["verify", file, "alice", "correct horsE"]).status == 1)
        // A second add changes the role and password and keeps one line for the user.
        _ = try Self.plc(["user", "add", "bob", "--role", "viewer", "--file", file], input: "bob's password\n")
        let again = try Self.plc(["user", "add", "alice", "--role", "engineer", "--file", file], input: "battery staple\n")
        #expect(again.status == 0)
        #expect(try Self.peer(["verify", file, "alice", "battery staple"]) == (0, "match engineer"))
        let users = try UsersFile(path: file).users
        #expect(users.map(\.name) == ["alice", "bob"])
    }

    @Test func aForeignHashVerifiesHere() throws {
        let hash = try Self.peer(["hash", "from python"]).output
        #expect(hash.hasPrefix("$argon2id$"))
        #expect(Password.verify("from python", against: hash))
        #expect(!Password.verify("from pythoN", against: hash))
    }

    @Test func badInputIsRefusedWithAReason() throws {
        let file = try Self.scratch()
        let short = try Self.plc(["user", "add", "alice", "--role", "operator", "--file", file], input: "short\n")
        #expect(short.status == 2 && short.stderr.contains("too short"))
        let role = try Self.plc(["user", "add", "alice", "--role", "admin", "--file", file], input: "long enough\n")
        #expect(role.status == 2 && role.stderr.contains("unknown role 'admin'"))
        #expect(!FileManager.default.fileExists(atPath: file))
        try "alice operator $argon2id$v=19$m=65536,t=2,p=1$x$y\nbob wizard $argon2id$x\n".write(toFile: file, atomically: true, encoding: .utf8)
        let damaged = try Self.plc(["user", "add", "carol", "--role", "viewer", "--file", file], input: "long enough\n")
        #expect(damaged.status == 2)
        #expect(damaged.stderr.contains("\(file):2: unknown role 'wizard'"))
    }

    static let users: UsersFile = {
        var users = UsersFile(empty: "/dev/null")
        users.set("olga", role: .operator, hash: (try? Password.hash("operator password")) ?? "")
        users.set("erik", role: .engineer, hash: (try? Password.hash("engineer password")) ?? "")
        return users
    }()

    @Test func sessionsExpireAndNeedTheirCSRFToken() throws {
        var limits = Sessions.Limits()
        limits.idleMs = 60_000
        limits.lifetimeMs = 300_000
        let sessions = Sessions(users: Self.users, limits: limits)
        let session = try sessions.login(user: "olga", password: "operator password", client: "a", now: 0).get()
        #expect(session.role == .operator && session.token.count == 64 && session.token != session.csrf)
        #expect((try? sessions.authorise(token: session.token, csrf: session.csrf, now: 10_000).get())?.user == "olga")
        #expect(sessions.authorise(token: session.token, csrf: nil, now: 20_000) == .failure(.badCSRF))
        #expect(sessions.authorise(token: session.token, csrf: session.token, now: 20_000) == .failure(.badCSRF))
        #expect(sessions.session(token: "f00", now: 20_000) == .failure(.notLoggedIn))
        #expect(sessions.session(token: nil, now: 20_000) == .failure(.notLoggedIn))
        // A request every 50 s keeps it alive past the 60 s idle limit, until its 300 s lifetime ends.
        for now in stride(from: Int64(50_000), through: 250_000, by: 50_000) {
            #expect((try? sessions.session(token: session.token, now: now).get())?.user == "olga", "at \(now) ms")
        }
        #expect(sessions.session(token: session.token, now: 300_000) == .failure(.expired))
        #expect(sessions.session(token: session.token, now: 300_001) == .failure(.notLoggedIn))
        let second = try sessions.login(user: "erik", password: "engineer password", client: "a", now: 400_000).get()
        #expect(sessions.session(token: second.token, now: 461_000) == .failure(.expired))
        sessions.logout(token: second.token)
    }

    @Test func failedLoginsAreLimitedPerClient() {
        var limits = Sessions.Limits()
        limits.failuresAllowed = 3
        limits.lockoutMs = 10_000
        let sessions = Sessions(users: Self.users, limits: limits)
        for attempt in 0..<3 {
            #expect(sessions.login(user: "olga", password: "guess \(attempt)", client: "10.0.0.7", now: 0) == .failure(.badCredentials))
        }
        // Locked out now, even with the right password; another client is not.
        #expect(sessions.login(user: "olga", password: "operator password", client: "10.0.0.7", now: 1_000) == .failure(.throttled(seconds: 9)))
        #expect((try? sessions.login(user: "olga", password: "operator password", client: "10.0.0.8", now: 1_000).get()) != nil)
        // After the lock-out a failure locks for twice as long.
        #expect(sessions.login(user: "olga", password: "wrong", client: "10.0.0.7", now: 11_000) == .failure(.badCredentials))
        #expect(sessions.login(user: "olga", password: "operator password", client: "10.0.0.7", now: 12_000) == .failure(.throttled(seconds: 19)))
        // An unknown user is refused exactly like a wrong password.
        #expect(sessions.login(user: "mallory", password: "x", client: "10.0.0.9", now: 0) == .failure(.badCredentials))
    }

    @Test func rolesPermitWhatTheIssueSays() {
        #expect(!Role.viewer.permits(.write(markedWritable: true)))
        #expect(Role.operator.permits(.write(markedWritable: true)))
        #expect(!Role.operator.permits(.write(markedWritable: false)))
        #expect(!Role.operator.permits(.onlineChange))
        #expect(Role.engineer.permits(.write(markedWritable: false)) && Role.engineer.permits(.onlineChange))
    }
}
