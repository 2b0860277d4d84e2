import Foundation
import PLCCore
import Glibc

/// Owns one bus (a serial port or a TCP connection) on its own thread and serialises every
/// request on it, so two blocks never talk on the RS-485 line at once.
///
/// Requests queue up from any number of blocks; the worker runs them one at a time, keeps the
/// silent interval between frames, reconnects with exponential back-off when the port or the
/// connection fails, and counts traffic per device. The scan only ever takes the queue's lock
/// to append a request; the lock is never held during I/O.
public final class BusWorker: @unchecked Sendable {
    public let name: String
    public let settings: BusSettings
    /// Called on the worker thread when the link goes down or comes back (for the error log).
    public var onLinkChange: (@Sendable (_ up: Bool, _ reason: String) -> Void)?

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [ModbusRequest] = []
    private var stopping = false
    private var counters: [Int: DeviceCounters] = [:]
    private let thread = WorkerThread()

    // Worker thread only.
    private var connection: ModbusConnection?
    private var nextAttempt: Int64 = 0
    private var backoff: Int64
    private var linkError: ModbusError?
    private var timeoutsInARow = 0
    private var buffer = [UInt16](repeating: 0, count: 125)

    public init(name: String, settings: BusSettings) {
        self.name = name
        self.settings = settings
        backoff = Int64(settings.reconnectMin) * 1_000_000
        queue.reserveCapacity(64)
    }

    /// Starts the worker thread.
    public func start() {
        thread.start(name: "plc.bus.\(name)") { [self] in loop() }
    }

    /// Finishes the request in progress, fails the queued ones, closes the port, and waits for the thread.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        thread.join()
    }

    /// Queues `request`; its reply arrives in its mailbox. Never blocks on I/O.
    public func submit(_ request: ModbusRequest) {
        condition.lock()
        if stopping {
            condition.unlock()
            request.mailbox.post(ModbusReply(registers: [], error: .notConnected("the bus is shut down"), latency: 0))
            return
        }
        queue.append(request)
        condition.signal()
        condition.unlock()
    }

    /// The traffic counters of device `slave`.
    public func counters(slave: Int) -> DeviceCounters {
        condition.lock()
        defer { condition.unlock() }
        return counters[slave] ?? DeviceCounters()
    }

    /// The traffic counters of every device that was asked something, by slave address.
    public var deviceCounters: [(slave: Int, counters: DeviceCounters)] {
        condition.lock()
        defer { condition.unlock() }
        return counters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    // MARK: - Worker thread

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if stopping {
                let left = queue
                queue.removeAll()
                condition.unlock()
                for request in left {
                    request.mailbox.post(ModbusReply(registers: [], error: .notConnected("the bus is shut down"), latency: 0))
                }
                break
            }
            let request = queue.removeFirst()
            condition.unlock()

            let reply = perform(request)
            condition.lock()
            counters[request.slave, default: DeviceCounters()].count(reply)
            condition.unlock()
            request.mailbox.post(reply)
            if settings.frameGap > 0 { usleep(UInt32(settings.frameGap)) }
        }
        connection?.close()
        connection = nil
    }

    private func perform(_ request: ModbusRequest) -> ModbusReply {
        let start = MonotonicTime.nanoseconds()
        if let error = ensureConnected() {
            return ModbusReply(registers: [], error: error, latency: 0)
        }
        do throws(ModbusError) {
            try connection!.readRegisters(function: request.function, slave: request.slave, address: request.address,
                                          count: request.count, into: &buffer)
            timeoutsInARow = 0
            return ModbusReply(registers: Array(buffer[0..<request.count]), error: nil, latency: MonotonicTime.nanoseconds() - start)
        } catch {
            handle(error)
            return ModbusReply(registers: [], error: error, latency: MonotonicTime.nanoseconds() - start)
        }
    }

    /// Opens the link if it is closed and the back-off allows; nil when connected.
    private func ensureConnected() -> ModbusError? {
        if let connection, connection.isConnected { return nil }
        let now = MonotonicTime.nanoseconds()
        if now < nextAttempt, let linkError { return linkError }
        do throws(ModbusError) {
            let connection: ModbusConnection
            if let existing = self.connection { connection = existing } else { connection = try ModbusConnection(settings) }
            self.connection = connection
            try connection.connect()
            if linkError != nil { onLinkChange?(true, "connected to \(settings.summary)") }
            linkError = nil
            backoff = Int64(settings.reconnectMin) * 1_000_000
            return nil
        } catch {
            if linkError == nil { onLinkChange?(false, "\(settings.summary): \(error.reason)") }
            linkError = error
            nextAttempt = now + backoff
            backoff = min(backoff * 2, Int64(settings.reconnectMax) * 1_000_000)
            return error
        }
    }

    /// After a failed transaction: drop a dead link so the next request reconnects.
    private func handle(_ error: ModbusError) {
        if error.code == ModbusError.timeoutCode {
            timeoutsInARow += 1
            // A silent RTU meter leaves the port fine; a TCP peer that stopped answering may be gone.
            guard case .tcp = settings.transport, timeoutsInARow >= 3 else { return }
        } else if !error.needsReconnect {
            return
        }
        timeoutsInARow = 0
        connection?.close()
        connection = nil
        linkError = error
        onLinkChange?(false, "\(settings.summary): \(error.reason)")
        nextAttempt = MonotonicTime.nanoseconds() + backoff
    }
}
