import CBuildInfo
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// The earliest local time a CSV row may carry: what tells a wall clock that is clearly wrong
/// (a Pi without a battery boots in 1970, or at its last shutdown with fake-hwclock).
///
/// A row is implausible when it is older than the day before the commit the binary was built from
/// (scripts/release stamps it; a plain `swift build` falls back to 2025-01-01, before this program
/// existed) or older than the newest row the folder held when the logger first looked at it.
public enum ClockFloor {
    /// 2025-01-01 00:00:00 local, in ms: the floor when the build carries no date.
    public static let projectStart: Int64 = 1_735_689_600_000

    /// The floor from the build date, as local ms.
    static let earliest = earliest(buildEpoch: plc_build_epoch())

    /// A day before `buildEpoch` (seconds, UTC), so that no time zone puts the build's own day
    /// below the floor; never before `projectStart`.
    public static func earliest(buildEpoch: Int64) -> Int64 {
        max(projectStart, (buildEpoch - 86_400) * 1000)
    }

    /// The floor for rows named `prefix_YYYY-MM-DD*.csv` in `folder`, as local ms.
    static func floor(folder: String, prefix: String) -> Int64 {
        max(earliest, newestRow(folder: folder, prefix: prefix) ?? earliest)
    }

    /// The local time of the last row of the newest `prefix_*.csv` file in `folder`, if any.
    static func newestRow(folder: String, prefix: String) -> Int64? {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix(prefix + "_") && $0.hasSuffix(".csv") }.sorted()
        for name in names.reversed() {
            let path = folder.pathAppending(name)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").reversed() {
                if let t = parse(line.prefix(19)) { return t }
            }
        }
        return nil
    }

    /// `2026-11-25 18:41:30` as local ms since 1970-01-01 00:00 local, or nil.
    static func parse(_ text: Substring) -> Int64? {
        guard text.count == 19, var t = CivilTime.fields(text) else { return nil }
        return Int64(timegm(&t)) * 1000
    }
}
