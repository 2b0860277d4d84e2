import CModbus
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Glibc
import PLCCore

/// Serves one or more simulated slaves on one Modbus TCP port or one RTU line, FC03 and FC04,
/// with faults per slave that tests (or a user on stdin) switch on and off.
///
/// RTU frames are read and written here, not by libmodbus's server side, because libmodbus
/// answers only the one slave address it was given and a bus has several. With `paced`, an RTU
/// reply is held for the time its bytes take on the wire at the line's baud rate (a 46-register
/// reply at 19200 8E1: 97 bytes x 11 bits = 56 ms), so timeouts behave as in the field.
public final class ModbusSimulator: @unchecked Sendable {
    /// A fault the simulator injects into every reply of a slave until changed.
    public enum Fault: Sendable, Equatable {
        case none
        /// Never answer (the client times out).
        case silent
        /// Answer every request with this Modbus exception code.
        case exception(UInt8)
        /// Answer after this many milliseconds.
        case delay(Int)
    }

    /// A line typed on the simulator's stdin.
    public enum Command: Sendable, Equatable {
        /// Set the fault of one slave, or of every slave when nil.
        case fault(Fault, slave: Int?)
        /// Reset the energy counters of one slave, or of every slave when nil.
        case reset(slave: Int?)
    }

    /// The slaves served, by address.
    public let devices: [Int: any SimulatedDevice]
    /// Serve the values of time 0 forever (a known image for tests).
    public let frozen: Bool
    /// Hold each RTU reply for its time on the wire.
    public var paced = false
    private let lock = ThreadLock()
    private var faults: [Int: Fault] = [:]
    private var requests: [Int: Int] = [:]
    private var stopping = false
    /// Set when the thread `startTCP` started has returned from serving.
    private var tcpEnded = false
    private let clock: @Sendable () -> Int64
    private let started: Int64
    private var lastElapsed = 0.0

    /// Serves `devices` (slave address -> device). `clock` gives monotonic nanoseconds (a seam for tests).
    public init(devices: [Int: any SimulatedDevice], frozen: Bool = false,
                clock: (@Sendable () -> Int64)? = nil) {
        self.devices = devices
        self.frozen = frozen
        let clock = clock ?? { MonotonicTime.nanoseconds() }
        self.clock = clock
        started = clock()
    }

    /// The slave addresses, in order.
    public var slaves: [Int] { devices.keys.sorted() }

    /// The fault of every slave (reading gives the lowest slave's); setting applies to all.
    public var fault: Fault {
        get { lock.withLock { faults[slaves.first ?? 1] ?? .none } }
        set { lock.withLock { for s in devices.keys { faults[s] = newValue } } }
    }

    /// The fault of `slave`.
    public func fault(slave: Int) -> Fault { lock.withLock { faults[slave] ?? .none } }

    /// Sets the fault of `slave` only.
    public func setFault(_ fault: Fault, slave: Int) { lock.withLock { faults[slave] = fault } }

    /// Carries out a command from stdin; false when it names a slave that is not served.
    @discardableResult
    public func apply(_ command: Command) -> Bool {
        switch command {
        case .fault(let f, nil): fault = f
        case .fault(let f, let slave?):
            guard devices[slave] != nil else { return false }
            setFault(f, slave: slave)
        case .reset(nil): for d in devices.values { d.resetCounters() }
        case .reset(let slave?):
            guard let d = devices[slave] else { return false }
            d.resetCounters()
        }
        return true
    }

    /// Requests received so far (answered or not), for every slave.
    public var requestCount: Int { lock.withLock { requests.values.reduce(0, +) } }

    /// Requests received so far by `slave`.
    public func requestCount(slave: Int) -> Int { lock.withLock { requests[slave] ?? 0 } }

    /// Makes a serving loop return within about 200 ms.
    public func stop() {
        lock.withLock { stopping = true }
    }

    /// True once the thread `startTCP` started has stopped serving (after `stop()`, or because it died).
    public var hasEnded: Bool { lock.withLock { tcpEnded } }

    private var isStopping: Bool { lock.withLock { stopping } }

    /// Seconds since start on the monotonic clock; never negative and never going back, whatever the clock does.
    func elapsed() -> Double {
        if frozen { return 0 }
        let now = Double(clock() - started) / 1e9
        return lock.withLock {
            lastElapsed = max(lastElapsed, now)
            return lastElapsed
        }
    }

    /// Parses a stdin line: `none`, `silent`, `exception N`, `delay MS`, `reset`, each optionally
    /// prefixed by `slave N` to apply to that slave only.
    public static func parseCommand(_ line: String) -> Command? {
        var words = line.lowercased().split(separator: " ").map(String.init)
        var slave: Int?
        if words.first == "slave" {
            guard words.count >= 3, let n = Int(words[1]), (1...247).contains(n) else { return nil }
            slave = n
            words.removeFirst(2)
        }
        switch (words.first, words.count) {
        case ("none", 1), ("normal", 1): return .fault(.none, slave: slave)
        case ("silent", 1): return .fault(.silent, slave: slave)
        case ("reset", 1): return .reset(slave: slave)
        case ("exception", 2):
            return UInt8(words[1]).flatMap { (1...255).contains($0) ? .fault(.exception($0), slave: slave) : nil }
        case ("delay", 2): return Int(words[1]).flatMap { $0 >= 0 ? .fault(.delay($0), slave: slave) : nil }
        default: return nil
        }
    }

    // MARK: - TCP

    /// Listens on `host:port` (port 0 picks a free one) and serves until `stop()`. `ready` gets the bound port.
    public func serveTCP(host: String, port: Int, ready: (Int) -> Void = { _ in }) throws(ModbusError) {
        guard let ctx = modbus_new_tcp(host, Int32(port)) else {
            throw ModbusError.notConnected("cannot create a TCP server: \(ModbusConnection.lastError())")
        }
        defer { modbus_free(ctx) }
        let server = modbus_tcp_listen(ctx, 8)
        guard server >= 0 else {
            throw ModbusError.notConnected("cannot listen on \(host):\(port): \(ModbusConnection.lastError())")
        }
        defer { Glibc.close(server) }
        ready(Self.boundPort(server))
        var clients: [Int32] = []
        defer { for c in clients { Glibc.close(c) } }
        var query = [UInt8](repeating: 0, count: Int(MODBUS_TCP_MAX_ADU_LENGTH))
        while !isStopping {
            var fds = [pollfd(fd: server, events: Int16(POLLIN), revents: 0)]
                + clients.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&fds, nfds_t(fds.count), 200) > 0 else { continue }
            if fds[0].revents & Int16(POLLIN) != 0 {
                var s = server
                let client = modbus_tcp_accept(ctx, &s)
                if client >= 0 { clients.append(client) }
            }
            for entry in fds.dropFirst() where entry.revents != 0 {
                modbus_set_socket(ctx, entry.fd)
                let length = modbus_receive(ctx, &query)
                if length >= 8 {
                    // MBAP header: transaction id (2), protocol (2), length (2), unit id (1).
                    let unit = Int(query[6])
                    let slave = devices[unit] != nil ? unit : (unit == 0xFF && devices.count == 1 ? slaves[0] : nil)
                    guard let slave, let pdu = answer(slave: slave, pdu: Array(query[7..<Int(length)])) else { continue }
                    var adu = Array(query[0..<4])
                    adu += [UInt8((pdu.count + 1) >> 8), UInt8((pdu.count + 1) & 0xFF), query[6]] + pdu
                    _ = adu.withUnsafeBytes { send(entry.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                } else if length < 0 {
                    Glibc.close(entry.fd)
                    clients.removeAll { $0 == entry.fd }
                }
            }
        }
    }

    /// Serves in the background on loopback; returns the bound port once listening.
    public func startTCP(host: String = "127.0.0.1", port: Int = 0) throws(ModbusError) -> Int {
        let bound = DispatchSemaphore(value: 0)
        let result = Box<Result<Int, ModbusError>>()
        let started = DetachedThread.start(name: "plc.simulator") { [self] in
            do throws(ModbusError) {
                try serveTCP(host: host, port: port) { p in
                    result.value = .success(p)
                    bound.signal()
                }
            } catch {
                if result.value == nil {
                    result.value = .failure(error)
                    bound.signal()
                }
            }
            lock.withLock { tcpEnded = true }
        }
        guard started else { throw ModbusError.notConnected("the system refused a thread for the simulator") }
        bound.wait()
        return try result.value!.get()
    }

    // MARK: - RTU

    /// Opens `device` as the slaves' end of an RTU line and serves until `stop()`.
    public func serveRTU(device: String, baud: Int, parity: BusSettings.Parity, dataBits: Int = 8,
                         stopBits: Int = 1) throws(ModbusError) {
        guard let ctx = modbus_new_rtu(device, Int32(baud), CChar(UInt8(ascii: parity.rawValue.unicodeScalars.first!)),
                                       Int32(dataBits), Int32(stopBits)) else {
            throw ModbusError.notConnected("cannot create an RTU server: \(ModbusConnection.lastError())")
        }
        defer { modbus_free(ctx) }
        // libmodbus sets up the port (termios); the frames are read and written here.
        guard modbus_connect(ctx) == 0 else {
            throw ModbusError.notConnected("cannot open \(device): \(ModbusConnection.lastError())")
        }
        defer { modbus_close(ctx) }
        let fd = modbus_get_socket(ctx)
        let bitsPerChar = 1 + dataBits + (parity == .none ? 0 : 1) + stopBits
        // A request ends after 3.5 characters of silence (at least 2 ms, as on fast lines).
        let silenceMs = max(2, Int32((3.5 * Double(bitsPerChar) * 1000 / Double(baud)).rounded(.up)))
        var frame: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        var quietRounds = 0
        while !isStopping {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, frame.isEmpty ? 200 : silenceMs)
            if ready > 0 {
                let n = read(fd, &chunk, chunk.count)
                if n > 0 { frame += chunk[0..<n] }
                quietRounds = 0
                if frame.count < 256 { continue }
            }
            guard !frame.isEmpty else { continue }
            // A read request is 8 bytes: on a loaded machine a pty may deliver it in two pieces
            // further apart than the line's silence; wait a little longer for the rest.
            quietRounds += 1
            if frame.count < 8, frame.count < 2 || frame[1] == 3 || frame[1] == 4, quietRounds < 25 { continue }
            quietRounds = 0
            defer { frame.removeAll(keepingCapacity: true) }
            // A complete request: slave, PDU, CRC (low byte first); anything else is line noise.
            guard frame.count >= 4, Self.crc16(frame[0..<(frame.count - 2)]) ==
                    UInt16(frame[frame.count - 2]) | UInt16(frame[frame.count - 1]) << 8 else { continue }
            let slave = Int(frame[0])
            guard devices[slave] != nil, let pdu = answer(slave: slave, pdu: Array(frame[1..<(frame.count - 2)])) else {
                continue
            }
            var adu = [frame[0]] + pdu
            let crc = Self.crc16(adu[...])
            adu += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
            if paced { usleep(UInt32(adu.count * bitsPerChar * 1_000_000 / baud)) }
            _ = adu.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
    }

    // MARK: - Requests

    /// The reply PDU for `pdu` sent to `slave`, or nil to stay silent.
    private func answer(slave: Int, pdu: [UInt8]) -> [UInt8]? {
        guard let device = devices[slave], let function = pdu.first else { return nil }
        let fault = lock.withLock { () -> Fault in
            requests[slave, default: 0] += 1
            return faults[slave] ?? .none
        }
        switch fault {
        case .none: break
        case .silent: return nil
        case .delay(let ms): usleep(UInt32(ms) * 1000)
        case .exception(let code): return [function | 0x80, code]
        }
        guard function == 3 || function == 4 else { return [function | 0x80, 1] }
        guard pdu.count >= 5 else { return [function | 0x80, 3] }
        let address = Int(pdu[1]) << 8 | Int(pdu[2])
        let count = Int(pdu[3]) << 8 | Int(pdu[4])
        guard (1...125).contains(count) else { return [function | 0x80, 3] }
        switch device.read(function: function, address: address, count: count, seconds: elapsed()) {
        case .failure(let exception): return [function | 0x80, exception.code]
        case .success(let words):
            var reply = [function, UInt8(2 * count)]
            for w in words.prefix(count) { reply += [UInt8(w >> 8), UInt8(w & 0xFF)] }
            return reply
        }
    }

    /// The Modbus RTU CRC-16 (polynomial 0xA001 reflected, initial 0xFFFF).
    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        }
        return crc
    }

    private static func boundPort(_ fd: Int32) -> Int {
        var address = sockaddr_in()
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A mutable cell shared with a thread that fills it before signalling.
final class Box<T>: @unchecked Sendable {
    var value: T?
}
