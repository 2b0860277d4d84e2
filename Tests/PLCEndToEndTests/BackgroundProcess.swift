import Foundation

/// A child process running beside a test, with its output collected line by line.
final class BackgroundProcess: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []
    private var errors: [String] = []
    /// Output pipes read to their end (0, 1 or 2).
    private var pipesEnded = 0

    /// Starts `executable` with `arguments`; stdout and stderr lines are collected separately.
    /// `environment` adds to the test's own.
    init(_ executable: String, _ arguments: [String], directory: URL = PLCCommand.root,
         environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        collect(out) { [self] line in lock.withLock { lines.append(line) } }
        collect(err) { [self] line in lock.withLock { errors.append(line) } }
        try process.run()
    }

    private func collect(_ pipe: Pipe, _ add: @escaping @Sendable (String) -> Void) {
        let handle = pipe.fileHandleForReading
        Thread {
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 10) {
                    add(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            if !pending.isEmpty { add(String(decoding: pending, as: UTF8.self)) }
            self.lock.withLock { self.pipesEnded += 1 }
        }.start()
    }

    /// Every stdout line so far.
    var output: [String] { lock.withLock { lines } }
    /// Every stderr line so far.
    var errorOutput: [String] { lock.withLock { errors } }

    /// Waits until a stdout line satisfies `predicate` (checking lines from `start` on); returns it or nil on timeout.
    @discardableResult
    func waitForLine(from start: Int = 0, timeout: TimeInterval = 10, _ predicate: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = output.dropFirst(start).first(where: predicate) { return line }
            if !process.isRunning, output.dropFirst(start).first(where: predicate) == nil { return nil }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return nil
    }

    /// Waits until `count` stdout lines from `start` on satisfy `predicate`; returns the first
    /// `count` of them (fewer on timeout, or when the process ended first).
    func waitForLines(from start: Int, count: Int, timeout: TimeInterval, _ predicate: (String) -> Bool) -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var found = output.dropFirst(start).filter(predicate)
        while found.count < count && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.02)
            found = output.dropFirst(start).filter(predicate)
        }
        return Array(found.prefix(count))
    }

    /// Waits until a stderr line satisfies `predicate`.
    @discardableResult
    func waitForErrorLine(timeout: TimeInterval = 10, _ predicate: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = errorOutput.first(where: predicate) { return line }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return nil
    }

    /// Writes a line to the process's stdin.
    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Sends `signal` and waits (up to `timeout`) for the process to end; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 10) -> Int32? {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        // The last lines (the statistics at stop) may still be in the pipes: read them to the end,
        // unless a child process of its own keeps them open.
        let drained = Date().addingTimeInterval(2)
        while lock.withLock({ pipesEnded < 2 }) && Date() < drained { Thread.sleep(forTimeInterval: 0.01) }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A socat pty pair: a virtual serial line whose two ends are `a` and `b`.
final class SerialLine {
    let a: String
    let b: String
    private var socat: BackgroundProcess?

    init() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-pty-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        a = dir.appendingPathComponent("a").path
        b = dir.appendingPathComponent("b").path
        try plugIn()
    }

    /// Creates the pty pair (again): like a USB adapter that comes back under the same name.
    func plugIn() throws {
        socat = try BackgroundProcess("/usr/bin/socat", ["pty,raw,echo=0,link=\(a)", "pty,raw,echo=0,link=\(b)"])
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline && !(FileManager.default.fileExists(atPath: a) && FileManager.default.fileExists(atPath: b)) {
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Ends the pair: both devices vanish, like an unplugged USB adapter.
    func unplug() {
        socat?.stop(signal: SIGTERM, timeout: 2)
        socat = nil
    }

    deinit {
        unplug()
    }
}

/// The pymodbus peer of Tests/peers/modbus_peer.py, serving a register image.
final class ModbusPeer {
    let process: BackgroundProcess

    /// Starts a pymodbus server on TCP `port` or RTU `device` with `image` (address -> word).
    init(tcp port: Int? = nil, rtu device: String? = nil, slave: Int = 1, image: [Int: UInt16]) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("plc-image-\(UUID().uuidString).json")
        let json = "{" + image.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
        try json.write(to: file, atomically: true, encoding: .utf8)
        var arguments = ["python3", "Tests/peers/modbus_peer.py", "--image", file.path, "--slave", String(slave)]
        if let port { arguments += ["--tcp", String(port)] }
        if let device { arguments += ["--rtu", device] }
        process = try BackgroundProcess("/usr/bin/env", arguments)
        guard process.waitForLine(timeout: 20, { $0.hasPrefix("READY") }) != nil else {
            throw PeerError("pymodbus peer did not start: \(process.errorOutput.suffix(5).joined(separator: "\n"))")
        }
        Thread.sleep(forTimeInterval: 0.3)   // READY is printed just before the server binds
    }

    /// The requests the peer logged: (function, address, count, start ns, end ns).
    var requests: [(function: Int, address: Int, count: Int, start: Int64, end: Int64)] {
        process.output.compactMap { line in
            let f = line.split(separator: " ")
            guard f.count == 6, f[0] == "REQ", let fc = Int(f[1]), let a = Int(f[2]), let c = Int(f[3]),
                  let s = Int64(f[4]), let e = Int64(f[5]) else { return nil }
            return (fc, a, c, s, e)
        }
    }

    /// Sends a command (`hold 30`, `exception 4`, `normal`) and waits for its acknowledgement.
    func command(_ text: String) {
        let start = process.output.count
        process.send(text)
        process.waitForLine(from: start, timeout: 5) { $0 == "OK \(text)" }
    }

    func stop() {
        process.stop(signal: SIGKILL)
    }
}

struct PeerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A TCP port that was free a moment ago.
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var size = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
