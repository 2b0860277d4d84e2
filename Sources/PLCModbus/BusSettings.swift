#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore

/// How to reach one bus: RTU serial line or TCP, with timeouts and reconnect back-off.
public struct BusSettings: Sendable, Equatable {
    /// Serial parity, as libmodbus spells it.
    public enum Parity: String, Sendable {
        case none = "N", even = "E", odd = "O"
    }

    /// The physical link.
    public enum Transport: Sendable, Equatable {
        case rtu(device: String, baud: Int, parity: Parity, dataBits: Int, stopBits: Int, rs485: Bool)
        case tcp(host: String, port: Int)
    }

    public var transport: Transport
    /// Milliseconds to wait for a reply to start.
    public var responseTimeout: Int = 500
    /// Milliseconds allowed between two bytes of one reply.
    public var byteTimeout: Int = 50
    /// Microseconds of silence kept between two frames (RTU: 3.5 characters, at least 1750 µs).
    public var frameGap: Int
    /// Reconnect back-off: first and longest wait, in milliseconds.
    public var reconnectMin: Int = 500
    public var reconnectMax: Int = 10_000

    public init(transport: Transport) {
        self.transport = transport
        frameGap = Self.defaultFrameGap(transport)
    }

    /// The Modbus RTU silent interval: 3.5 character times (11 bits each), 1750 µs above 19200 baud.
    public static func defaultFrameGap(_ transport: Transport) -> Int {
        guard case .rtu(_, let baud, _, _, _, _) = transport else { return 0 }
        return baud > 19_200 ? 1750 : Int((3.5 * 11 * 1_000_000 / Double(baud)).rounded(.up))
    }

    /// The wire time of one RTU frame of `bytes` bytes at this bus's speed, in microseconds.
    public func wireTime(bytes: Int) -> Int {
        guard case .rtu(_, let baud, let parity, let dataBits, let stopBits, _) = transport else { return 0 }
        let bitsPerChar = 1 + dataBits + (parity == .none ? 0 : 1) + stopBits
        return Int((Double(bytes * bitsPerChar) * 1_000_000 / Double(baud)).rounded(.up))
    }

    /// A readable one-line description (`/dev/ttyUSB0 19200 8E1`, `tcp 127.0.0.1:1502`).
    public var summary: String {
        switch transport {
        case .rtu(let device, let baud, let parity, let dataBits, let stopBits, let rs485):
            "\(device) \(baud) \(dataBits)\(parity.rawValue)\(stopBits)" + (rs485 ? " RS-485" : "")
        case .tcp(let host, let port):
            "tcp \(host):\(port)"
        }
    }
}
