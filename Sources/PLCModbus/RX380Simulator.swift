import CModbus
import Foundation
import Glibc

/// Serves the RX380 register map over Modbus TCP or RTU with libmodbus, on FC03 and FC04,
/// answering exception 02 outside the map, with faults that tests can switch on and off.
public final class RX380Simulator: @unchecked Sendable {
    /// A fault the simulator injects into every reply until changed.
    public enum Fault: Sendable, Equatable {
        case none
        /// Never answer (the client times out).
        case silent
        /// Answer every request with this Modbus exception code.
        case exception(UInt8)
        /// Answer after this many milliseconds.
        case delay(Int)
    }

    public let slave: Int
    /// Serve the values of time 0 forever (a known image for tests).
    public let frozen: Bool
    private let lock = NSLock()
    private var currentFault = Fault.none
    private var requests = 0
    private var stopping = false
    private let started = Date()

    public init(slave: Int = 1, frozen: Bool = false) {
        self.slave = slave
        self.frozen = frozen
    }

    /// The fault applied to requests from now on.
    public var fault: Fault {
        get { lock.withLock { currentFault } }
        set { lock.withLock { currentFault = newValue } }
    }

    /// Requests received so far (answered or not).
    public var requestCount: Int { lock.withLock { requests } }

    /// Makes a serving loop return within about 200 ms.
    public func stop() {
        lock.withLock { stopping = true }
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    /// Parses a fault command (`none`, `silent`, `exception 4`, `delay 500`), as read from stdin.
    public static func parseFault(_ line: String) -> Fault? {
        let words = line.lowercased().split(separator: " ")
        switch (words.first, words.count) {
        case ("none", 1), ("normal", 1): return Fault.none
        case ("silent", 1): return .silent
        case ("exception", 2): return UInt8(words[1]).flatMap { (1...255).contains($0) ? .exception($0) : nil }
        case ("delay", 2): return Int(words[1]).flatMap { $0 >= 0 ? .delay($0) : nil }
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
        let mapping = Self.newMapping()
        defer { modbus_mapping_free(mapping) }
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
                if length > 0 {
                    handle(ctx, query: query, length: Int(length), mapping: mapping, tcp: true)
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
        let thread = Thread { [self] in
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
        }
        thread.name = "plc.rx380-simulator"
        thread.start()
        bound.wait()
        return try result.value!.get()
    }

    // MARK: - RTU

    /// Opens `device` as an RTU slave and serves until `stop()`.
    public func serveRTU(device: String, baud: Int, parity: BusSettings.Parity, dataBits: Int = 8,
                         stopBits: Int = 1) throws(ModbusError) {
        guard let ctx = modbus_new_rtu(device, Int32(baud), CChar(UInt8(ascii: parity.rawValue.unicodeScalars.first!)),
                                       Int32(dataBits), Int32(stopBits)) else {
            throw ModbusError.notConnected("cannot create an RTU server: \(ModbusConnection.lastError())")
        }
        defer { modbus_free(ctx) }
        modbus_set_slave(ctx, Int32(slave))
        guard modbus_connect(ctx) == 0 else {
            throw ModbusError.notConnected("cannot open \(device): \(ModbusConnection.lastError())")
        }
        defer { modbus_close(ctx) }
        modbus_set_indication_timeout(ctx, 0, 200_000)
        let mapping = Self.newMapping()
        defer { modbus_mapping_free(mapping) }
        var query = [UInt8](repeating: 0, count: Int(MODBUS_RTU_MAX_ADU_LENGTH))
        while !isStopping {
            let length = modbus_receive(ctx, &query)
            if length > 0 {
                handle(ctx, query: query, length: Int(length), mapping: mapping, tcp: false)
            } else if length < 0 && cmodbus_errno() != ETIMEDOUT {
                modbus_flush(ctx)
            }
        }
    }

    // MARK: - Requests

    private func handle(_ ctx: OpaquePointer, query: [UInt8], length: Int,
                        mapping: UnsafeMutablePointer<modbus_mapping_t>, tcp: Bool) {
        let header = Int(modbus_get_header_length(ctx))
        let unit = Int(query[header - 1])
        if tcp && unit != slave && unit != 0xFF { return }
        let fault = lock.withLock { () -> Fault in
            requests += 1
            return currentFault
        }
        switch fault {
        case .none: break
        case .silent: return
        case .delay(let ms): usleep(UInt32(ms) * 1000)
        case .exception(let code):
            modbus_reply_exception(ctx, query, UInt32(code))
            return
        }
        let function = query[header]
        guard function == 3 || function == 4 else {
            modbus_reply_exception(ctx, query, UInt32(MODBUS_EXCEPTION_ILLEGAL_FUNCTION))
            return
        }
        let address = Int(query[header + 1]) << 8 | Int(query[header + 2])
        let count = Int(query[header + 3]) << 8 | Int(query[header + 4])
        guard (1...125).contains(count) else {
            modbus_reply_exception(ctx, query, UInt32(MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE))
            return
        }
        guard RX380Map.covers(address: address, count: count) else {
            modbus_reply_exception(ctx, query, UInt32(MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS))
            return
        }
        let map = RX380Map(seconds: frozen ? 0 : Date().timeIntervalSince(started))
        for a in address..<(address + count) {
            let value = map.registers[a] ?? 0
            mapping.pointee.tab_registers[a - Self.mapStart] = value
            mapping.pointee.tab_input_registers[a - Self.mapStart] = value
        }
        modbus_reply(ctx, query, Int32(length), mapping)
    }

    static let mapStart = 4000
    static let mapCount = 224

    private static func newMapping() -> UnsafeMutablePointer<modbus_mapping_t> {
        modbus_mapping_new_start_address(0, 0, 0, 0, UInt32(mapStart), UInt32(mapCount), UInt32(mapStart),
                                         UInt32(mapCount))
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
