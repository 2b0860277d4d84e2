#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// What the MQTT sink needs to know, fixed when it starts.
public struct MqttSettings: Sendable, Equatable {
    /// `host:port` of the broker (1883 plain, 8883 TLS by convention).
    public var host: String
    public var port: Int32
    /// The first topic level: `<prefix>/<site>/<location>/state`.
    public var prefix: String
    public var site: String
    public var location: String
    /// User and password; `${NAME}` reads the environment. Empty user: no credentials.
    public var user: String = ""
    public var password: String = ""
    /// A CA certificate file: non-empty turns TLS on and checks the broker against it.
    public var caFile: String = ""
    /// The value columns and their units, as the Display's `sColumns` and `sUnits`.
    public var columns: [String]
    public var units: [String]
    /// A model name for Home Assistant's device registry.
    public var model: String = "RX380"
    public var keepAlive: Int32 = 30

    public init(host: String, port: Int32, prefix: String, site: String, location: String, columns: [String], units: [String]) {
        self.host = host
        self.port = port
        self.prefix = prefix
        self.site = site
        self.location = location
        self.columns = columns
        self.units = units
    }

    /// `host:port` (or `host`, port 1883) split; nil when the port is not a number in 1...65535.
    public static func broker(_ text: String) -> (host: String, port: Int32)? {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { return nil }
        guard let colon = trimmed.lastIndex(of: ":") else { return (trimmed, 1883) }
        guard let port = Int32(trimmed[trimmed.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        let host = String(trimmed[..<colon])
        return host.isEmpty ? nil : (host, port)
    }

    /// A topic level made safe: anything but letters, digits, `-` and `_` becomes `_` (no `/`, `+`, `#`).
    public static func level(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
    }

    public var base: String { "\(prefix)/\(Self.level(site))/\(Self.level(location))" }
    public var stateTopic: String { base + "/state" }
    public var availabilityTopic: String { base + "/availability" }
}
