#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore

/// The result of one Modbus request: the registers read, or why not, and how long it took.
public struct ModbusReply: Sendable {
    public var registers: [UInt16]
    public var error: ModbusError?
    /// Request to reply, in ns.
    public var latency: Int64

    public init(registers: [UInt16], error: ModbusError?, latency: Int64) {
        self.registers = registers
        self.error = error
        self.latency = latency
    }
}

/// A one-slot hand-over of replies from a bus worker to the block that asked: the worker posts,
/// the scan takes at its input image. The lock is held only to move one value.
public final class ModbusMailbox: @unchecked Sendable {
    private let lock = ThreadLock()
    private var reply: ModbusReply?

    public init() {}

    /// Worker side: leave a reply for the block.
    public func post(_ reply: ModbusReply) {
        lock.lock()
        self.reply = reply
        lock.unlock()
    }

    /// Scan side: the reply, if one arrived since the last call.
    public func take() -> ModbusReply? {
        lock.lock()
        defer { lock.unlock() }
        let r = reply
        reply = nil
        return r
    }
}
