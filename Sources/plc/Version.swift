import CBuildInfo
import PLCStorage

/// The release number and the commit the binary was built from, for `plc --version`.
enum Version {
    /// The release number; scripts/package-deb names the .deb after it.
    static let number = "1.6.0"

    /// The git commit scripts/release built from, or "unknown" in a plain `swift build`.
    static var commit: String { String(cString: plc_build_commit()) }

    /// The commit's date (UTC), which is also the earliest plausible wall-clock date for CSV rows
    /// (a day's margin aside), or nil in a plain `swift build`.
    static var date: String? {
        let epoch = plc_build_epoch()
        return epoch > 0 ? CivilTime.date(epoch * 1000) : nil
    }

    /// `1.6.0 (commit 1a2b3c4d5e6f of 2026-11-27)`.
    static var text: String { "\(number) (commit \(commit)\(date.map { " of \($0)" } ?? ""))" }
}
