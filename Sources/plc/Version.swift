import CBuildInfo

/// The release number and the commit the binary was built from, for `plc --version`.
enum Version {
    /// The release number; scripts/package-deb names the .deb after it.
    static let number = "1.6.0"

    /// The git commit scripts/release built from, or "unknown" in a plain `swift build`.
    static var commit: String { String(cString: plc_build_commit()) }

    /// `1.6.0 (commit 1a2b3c4d5e6f)`.
    static var text: String { "\(number) (commit \(commit))" }
}
