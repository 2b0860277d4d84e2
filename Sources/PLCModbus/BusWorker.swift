#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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

    private let condition = ThreadCondition()
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
    /// RTU slaves whose last timeout was followed by a quiet line: silent, not late. Their next
    /// timeout skips the quiet-line wait, so a silent meter costs one response timeout per poll.
    private var silentSlaves: Set<Int> = []
    private var buffer = [UInt16](repeating: 0, count: 125)
    /// When the last transaction ended (monotonic ns): the next request waits out the frame gap
    /// from there, so an idle bus does not wake its thread just to be silent.
    private var lastFrameEnd: Int64 = .min
    /// A simulated device that answers in place of a port (virtual-time tests and soaks).
    private let device: (@Sendable (ModbusRequest) -> ModbusReply)?

    public init(name: String, settings: BusSettings) {
        self.name = name
        self.settings = settings
        backoff = Int64(settings.reconnectMin) * 1_000_000
        queue.reserveCapacity(64)
        device = nil
    }

    /// A worker with no port and no thread: `device` answers each request at once, on the
    /// submitting thread, so the reply is in the block's next input image. For virtual-time runs.
    public init(name: String, settings: BusSettings, device: @escaping @Sendable (ModbusRequest) -> ModbusReply) {
        self.name = name
        self.settings = settings
        backoff = Int64(settings.reconnectMin) * 1_000_000
        self.device = device
    }

    /// Starts the worker thread.
    public func start() {
        thread.start(name: "plc.bus.\(name)") { [self] in loop() }
    }

    /// True once the worker thread has ended (after `stop()`, or because it died).
    public var hasEnded: Bool { thread.hasEnded }

    /// Opens the bus now, on the caller's thread, before `start()`. Returns who holds the serial
    /// port when another program has it locked; any other failure is left to the worker's reconnects.
    public func claim() -> String? {
        _ = ensureConnected()
        return connection?.portHolder
    }

    /// Finishes the request in progress, fails the queued ones, closes the port, and waits for the
    /// thread, but not longer than `stopWait` ms: a long response timeout must not hold up a stop
    /// (systemd kills a service that takes longer than its TimeoutStopSec). Returns false when it gave up.
    @discardableResult
    public func stop() -> Bool {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        return thread.join(timeout: Double(stopWait) / 1000)
    }

    /// How long `stop()` waits for a request in flight, in ms: the usual timeout, at most 2 s.
    public var stopWait: Int { min(settings.responseTimeout, 1500) + 500 }

    /// Silence that must follow a failed RTU transaction before the next request, in ms: the
    /// response timeout, and at least the wire time of the longest RTU frame (256 bytes).
    public var quietAfterFailure: Int { max(settings.responseTimeout, settings.wireTime(bytes: 256) / 1000 + 1) }

    /// Queues `request`; its reply arrives in its mailbox. Never blocks on I/O.
    public func submit(_ request: ModbusRequest) {
        if let device {
            let reply = device(request)
            condition.withLock { counters[request.slave, default: DeviceCounters()].count(reply) }
            request.mailbox.post(reply)
            return
        }
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

            keepFrameGap()
            let reply = perform(request)
            condition.lock()
            counters[request.slave, default: DeviceCounters()].count(reply)
            condition.unlock()
            request.mailbox.post(reply)
            if settings.frameGap > 0 { lastFrameEnd = MonotonicTime.nanoseconds() }
        }
        connection?.close()
        connection = nil
    }

    /// Sleeps for what is left of the silence the line needs between two frames (`frameGap`, µs)
    /// since the last transaction ended; nothing when the bus was idle for longer.
    private func keepFrameGap() {
        guard settings.frameGap > 0, lastFrameEnd != .min else { return }
        let left = lastFrameEnd + Int64(settings.frameGap) * 1000 - MonotonicTime.nanoseconds()
        if left > 0 { usleep(UInt32((left + 999) / 1000)) }
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
            silentSlaves.remove(request.slave)
            return ModbusReply(registers: Array(buffer[0..<request.count]), error: nil, latency: MonotonicTime.nanoseconds() - start)
        } catch {
            handle(error, slave: request.slave)
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

    /// After a failed transaction: drop a dead link so the next request reconnects, and make sure
    /// a late or half-read reply can never be taken for the answer to the next request.
    private func handle(_ error: ModbusError, slave: Int) {
        var isTCP = false
        if case .tcp = settings.transport { isTCP = true }
        if error.code == ModbusError.timeoutCode { timeoutsInARow += 1 }
        // A silent RTU meter leaves the port fine; a TCP peer that stopped answering may be gone.
        guard error.needsReconnect || (isTCP && timeoutsInARow >= 3) else {
            guard error.needsResync, let connection else { return }
            if isTCP {
                // The late reply would arrive as the answer to the next request, fail its
                // transaction-id check, and so on for ever: a new connection starts clean.
                // It opens at the next request, with no back-off (the peer is there).
                connection.close()
            } else if error.code == ModbusError.timeoutCode && silentSlaves.contains(slave) {
                // Silent after the last timeout too: no late reply to wait for (the next request
                // still flushes the input first).
            } else {
                // A late reply may still come: wait until the line has been quiet for a timeout.
                let discarded = connection.drain(quiet: quietAfterFailure, limit: 2 * quietAfterFailure)
                if error.code == ModbusError.timeoutCode && discarded == 0 { silentSlaves.insert(slave) } else { silentSlaves.remove(slave) }
            }
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
