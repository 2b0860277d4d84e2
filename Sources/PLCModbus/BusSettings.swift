#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore
public import PLCGraph

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

    static let keys: Set<String> = ["kind", "device", "baud", "parity", "dataBits", "stopBits", "rs485", "host", "port",
                                    "responseTimeout", "byteTimeout", "frameGap", "reconnectMin", "reconnectMax", "slave",
                                    "function"]

    /// Reads a program's bus section; every problem is reported with its line.
    public static func parse(_ bus: ProgramFile.Bus, file: String) throws(ProgramErrors) -> BusSettings {
        var errors: [SourceError] = []
        func error(_ origin: SourceOrigin, _ message: String) {
            errors.append(origin.error(file: file, "bus \(bus.name): \(message)"))
        }
        var values: [String: (String, SourceOrigin)] = [:]
        for s in bus.settings {
            guard keys.contains(s.key) else {
                error(s.origin, "unknown setting '\(s.key)' (settings: \(keys.sorted().joined(separator: ", ")))")
                continue
            }
            values[s.key] = (s.value, s.origin)
        }
        func int(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) -> Int {
            guard let (text, line) = values[key] else { return fallback }
            guard let v = Int(text), range.contains(v) else {
                error(line, "\(key) '\(text)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                return fallback
            }
            return v
        }
        func ms(_ key: String, _ fallback: Int) -> Int {
            guard let (text, line) = values[key] else { return fallback }
            do throws(IECError) {
                let v = try IECLiteral.parseTime(text)
                guard v >= 0 else { throw IECError("must not be negative") }
                return Int(v)
            } catch let problem {
                error(line, "\(key) '\(text)': \(problem.message)")
                return fallback
            }
        }
        let kind = values["kind"]?.0.lowercased() ?? "rtu"
        let transport: Transport
        switch kind {
        case "rtu":
            let parityText = values["parity"]?.0.uppercased() ?? "E"
            let parity: Parity
            switch parityText {
            case "N", "NONE": parity = .none
            case "E", "EVEN": parity = .even
            case "O", "ODD": parity = .odd
            default:
                error(values["parity"]?.1 ?? .line(bus.line), "parity '\(parityText)' must be N, E or O")
                parity = .even
            }
            let rs485Text = values["rs485"]?.0.lowercased() ?? "false"
            if !["true", "false", "yes", "no"].contains(rs485Text) {
                error(values["rs485"]?.1 ?? .line(bus.line), "rs485 '\(rs485Text)' must be true or false")
            }
            if let (device, line) = values["device"], device.trimmingSpaces().isEmpty {
                error(line, "device must not be empty (the serial port, e.g. /dev/ttyUSB0 or /dev/serial/by-id/...)")
            }
            transport = .rtu(device: values["device"]?.0 ?? "/dev/ttyUSB0", baud: int("baud", 19_200, 300...4_000_000),
                             parity: parity, dataBits: int("dataBits", 8, 5...8), stopBits: int("stopBits", 1, 1...2),
                             rs485: rs485Text == "true" || rs485Text == "yes")
        case "tcp":
            if let (host, line) = values["host"], host.trimmingSpaces().isEmpty {
                error(line, "host must not be empty")
            }
            transport = .tcp(host: values["host"]?.0 ?? "127.0.0.1", port: int("port", 502, 1...65535))
        default:
            error(values["kind"]?.1 ?? .line(bus.line), "kind '\(kind)' must be rtu or tcp")
            transport = .tcp(host: "127.0.0.1", port: 502)
        }
        var settings = BusSettings(transport: transport)
        settings.responseTimeout = ms("responseTimeout", 500)
        settings.byteTimeout = ms("byteTimeout", 50)
        if values["frameGap"] != nil { settings.frameGap = ms("frameGap", 0) * 1000 }
        settings.reconnectMin = max(ms("reconnectMin", 500), 10)
        settings.reconnectMax = max(ms("reconnectMax", 10_000), settings.reconnectMin)
        if !errors.isEmpty { throw ProgramErrors(errors) }
        return settings
    }
}
