import Foundation

/// Runs a command to its end; returns its status and output (stdout and stderr together).
@discardableResult
func shell(_ arguments: [String], timeout: TimeInterval = 60) throws -> (status: Int32, output: String) {
    // posix_spawn and waitpid, not Foundation's Process: pg_ctl's exit went unnoticed by Process
    // (a zombie, and the test waited for ever). Output goes to a file that a started server cannot hold open.
    let log = "/tmp/plc-shell-\(UUID().uuidString).log"
    defer { unlink(log) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    // Nothing else of the test process: its tests beside this one hold hundreds of descriptors
    // without close-on-exec, and PostgreSQL counts inherited ones against max_files_per_process
    // ("insufficient file descriptors available to start server process").
    // (glibc 2.34+ has posix_spawn_file_actions_addclosefrom_np; Swift's Glibc module does not declare it.)
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    // The test's threads block signals; the child must not inherit that (mosquitto_sub -W needs SIGALRM).
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t(), all = sigset_t()
    sigemptyset(&none)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, environ)
    guard rc == 0 else { throw PeerError("cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(timeout)
    while waitpid(pid, &status, WNOHANG) == 0 {
        if Date() > deadline {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
            break
        }
        Thread.sleep(forTimeInterval: 0.02)
    }
    let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exit, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
}

/// A scratch folder under /tmp that every user can enter (PostgreSQL runs as `postgres`).
func scratchFolder(_ name: String) throws -> String {
    let path = "/tmp/plc-\(name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
    return path
}

/// A throw-away PostgreSQL 15 server (initdb, pg_ctl) on a free port, trust authentication.
///
/// As root it runs as the `postgres` user, as PostgreSQL requires; otherwise as the current user.
final class PostgresServer {
    let folder: String
    let port: Int
    static let bin = "/usr/lib/postgresql/15/bin"

    init() throws {
        folder = try scratchFolder("pg")
        port = freePort()
        let result = try shell(Self.asOwner(["\(Self.bin)/initdb", "-D", folder + "/data", "-A", "trust", "-U", "postgres", "--no-sync"]))
        guard result.status == 0 else { throw PeerError("initdb failed: \(result.output)") }
        try start()
    }

    static func asOwner(_ command: [String]) -> [String] {
        getuid() == 0 ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups"] + command : command
    }

    var connection: String {
        "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=\(port);Database=postgres;Uid=postgres;Pwd=unused;"
    }

    func start() throws {
        let options = "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off"
        let result = try shell(Self.asOwner(["\(Self.bin)/pg_ctl", "-D", folder + "/data", "-o", options, "-l", folder + "/log", "-w", "-t", "300", "start"]))
        guard result.status == 0 else {
            let log = (try? String(contentsOfFile: folder + "/log", encoding: .utf8)) ?? ""
            throw PeerError("pg_ctl start failed: \(result.output); its log ends: \(log.split(separator: "\n").suffix(3).joined(separator: " | "))")
        }
    }

    func stop() {
        _ = try? shell(Self.asOwner(["\(Self.bin)/pg_ctl", "-D", folder + "/data", "-m", "immediate", "-w", "stop"]))
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: folder)
    }
}

/// A mosquitto broker on a free port, started from a config written for it; optionally with TLS.
final class MosquittoBroker {
    let folder: String
    let port: Int
    let extraConfig: String
    private(set) var process: BackgroundProcess?

    /// `tls`: a throw-away CA and server certificate for 127.0.0.1 (openssl), `ca.crt` in `folder`.
    init(tls: Bool = false, port: Int = freePort(), extraConfig: String = "") throws {
        folder = try scratchFolder("mqtt")
        self.port = port
        var config = "listener \(port) 127.0.0.1\nallow_anonymous true\n"
        if tls {
            try Self.makeCertificates(folder)
            config += "cafile \(folder)/ca.crt\ncertfile \(folder)/server.crt\nkeyfile \(folder)/server.key\n"
        }
        self.extraConfig = extraConfig
        try (config + extraConfig).write(toFile: folder + "/mosquitto.conf", atomically: true, encoding: .utf8)
        try start()
    }

    var caFile: String { folder + "/ca.crt" }

    func start() throws {
        let process = try BackgroundProcess("/usr/sbin/mosquitto", ["-c", folder + "/mosquitto.conf"])
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if canConnect() { return }
            if !process.process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw PeerError("mosquitto did not start: \((process.output + process.errorOutput).suffix(8).joined(separator: "\n"))")
    }

    func canConnect() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    func stop() {
        process?.stop(signal: SIGTERM)
        process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static func makeCertificates(_ folder: String) throws {
        let steps: [[String]] = [
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=plc test CA",
             "-keyout", "\(folder)/ca.key", "-out", "\(folder)/ca.crt"],
            ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", "\(folder)/server.key", "-out", "\(folder)/server.csr"],
            ["sh", "-c", "printf 'subjectAltName=IP:127.0.0.1\\n' > \(folder)/san.ext"],
            ["openssl", "x509", "-req", "-in", "\(folder)/server.csr", "-CA", "\(folder)/ca.crt", "-CAkey", "\(folder)/ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "\(folder)/san.ext", "-out", "\(folder)/server.crt"],
            ["chmod", "0644", "\(folder)/server.key"],     // mosquitto started as root reads it as user mosquitto
        ]
        for step in steps {
            let result = try shell(step)
            guard result.status == 0 else { throw PeerError("\(step[0]) failed: \(result.output)") }
        }
    }
}

/// A `mosquitto_sub` collecting `topic/payload` lines from a broker.
final class MqttSubscriber {
    let process: BackgroundProcess

    init(port: Int, topic: String = "#", caFile: String? = nil, extra: [String] = []) throws {
        var arguments = ["mosquitto_sub", "-h", "127.0.0.1", "-p", String(port), "-t", topic, "-v", "-q", "1"] + extra
        if let caFile { arguments += ["--cafile", caFile] }
        process = try BackgroundProcess("/usr/bin/env", arguments)
        Thread.sleep(forTimeInterval: 0.3)
    }

    /// Payloads received on `topic`, in order.
    func payloads(_ topic: String) -> [String] {
        process.output.compactMap { line in line.hasPrefix(topic + " ") ? String(line.dropFirst(topic.count + 1)) : nil }
    }

    func stop() { process.stop() }
}
