import Glibc

/// The one rule for a site's name, shared by the SQL rows, the MQTT topics, the dashboard and
/// `/metrics`: the `Site` setting when it is set, else this machine's host name up to its first dot.
public enum SiteName {
    /// `configured` when not empty, else the short host name (`plc` when the host has none).
    public static func resolve(_ configured: String) -> String {
        configured.isEmpty ? host : configured
    }

    /// This machine's host name up to its first dot.
    public static var host: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "plc" }
        let full = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let short = full.split(separator: ".").first.map(String.init) ?? ""
        return short.isEmpty ? "plc" : short
    }
}
