#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// Settings text that may name environment variables (`${SQL_PASSWORD}`), so secrets live in the
/// systemd unit's `EnvironmentFile`, never on the command line or in the program file.
public enum SecretText {
    /// A `${NAME}` whose variable is not set.
    public struct Missing: Error, Sendable, Equatable {
        public let message: String
    }

    /// `text` with every `${NAME}` replaced by this process's environment variable NAME.
    public static func expand(_ text: String) throws(Missing) -> String {
        try expand(text, environment: ProcessInfo.processInfo.environment)
    }

    /// `text` with every `${NAME}` replaced from `environment`.
    public static func expand(_ text: String, environment: [String: String]) throws(Missing) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstRange(of: "${") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
            let name = String(rest[open.upperBound..<close])
            guard let value = environment[name] else { throw Missing(message: "${\(name)} is not set in the environment") }
            out += rest[..<open.lowerBound] + value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
