#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
public import PLCCore
public import PLCGraph
public import PLCModbus

/// A program file's bus section read into `BusSettings` (here, beside the program model, so that
/// PLCModbus does not depend on PLCGraph).
extension BusSettings {
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
