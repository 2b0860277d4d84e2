/// A failed Modbus transaction: a numeric code for PLC logic (`udiErrorID`) and libmodbus's reason.
public struct ModbusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The code a `ModbusRead` block reports in `udiErrorID`.
    public let code: UInt32
    /// The reason in words, as libmodbus or the OS gave it.
    public let reason: String

    public init(code: UInt32, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// 1 to 11: the device answered with this Modbus exception code.
    public static func exception(_ code: UInt8) -> ModbusError {
        ModbusError(code: UInt32(code), reason: "exception \(code) (\(exceptionName(code)))")
    }

    /// No reply within the response timeout.
    public static let timeoutCode: UInt32 = 100
    /// A reply with a bad CRC (RTU) or a corrupt frame.
    public static let crcCode: UInt32 = 101
    /// The port or connection is not open: missing device, refused connection, unplugged adapter.
    public static let notConnectedCode: UInt32 = 102
    /// A reply that does not match the request (wrong slave, function, length or data).
    public static let badReplyCode: UInt32 = 103
    /// A request the client refuses to send (quantity 0 or over 125, unknown function code).
    public static let invalidRequestCode: UInt32 = 104
    /// Any other I/O failure.
    public static let ioCode: UInt32 = 105

    public static func timeout() -> ModbusError { ModbusError(code: timeoutCode, reason: "timeout") }

    public static func notConnected(_ why: String) -> ModbusError {
        ModbusError(code: notConnectedCode, reason: "not connected: \(why)")
    }

    public static func invalidRequest(_ why: String) -> ModbusError {
        ModbusError(code: invalidRequestCode, reason: "invalid request: \(why)")
    }

    /// The short name of a Modbus exception code.
    public static func exceptionName(_ code: UInt8) -> String {
        switch code {
        case 1: "illegal function"
        case 2: "illegal data address"
        case 3: "illegal data value"
        case 4: "server device failure"
        case 5: "acknowledge"
        case 6: "server device busy"
        case 8: "memory parity error"
        case 10: "gateway path unavailable"
        case 11: "gateway target device failed to respond"
        default: "unknown exception"
        }
    }

    /// True when the failure means the link itself is gone and the worker should reconnect.
    public var needsReconnect: Bool { code == Self.notConnectedCode || code == Self.ioCode }

    /// True when the reply that failed may still be on its way or half read: the line must be
    /// resynchronised before the next request (RTU: wait for quiet; TCP: reconnect).
    public var needsResync: Bool { code == Self.timeoutCode || code == Self.crcCode || code == Self.badReplyCode }

    public var description: String { reason }
}
