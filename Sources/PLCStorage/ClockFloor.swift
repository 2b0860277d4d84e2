import CBuildInfo
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore

/// The earliest local time a CSV row may carry: what tells a wall clock that is clearly wrong
/// (a Pi without a battery boots in 1970, or at its last shutdown with fake-hwclock).
///
/// A row is implausible when it is older than the day before the commit the binary was built from
/// (scripts/release stamps it; a plain `swift build` takes the day it was compiled) or older than
/// the newest row the folder held when the logger first looked at it.
/// The newest row's word counts only until the clock is trusted: the kernel says it is synchronised,
/// or it has run steadily for `steadyTrustAfter` (a file named in the future, left by a clock that
/// ran ahead or copied in, must not stop logging).
public enum ClockFloor {
    /// 2025-01-01 00:00:00 local, in ms: no floor is ever earlier (this program did not exist).
    public static let projectStart: Int64 = 1_735_689_600_000

    /// The floor from the build date, as local ms: the stamped commit's date, else the compile date.
    public static let earliest = earliest(buildEpoch: plc_build_epoch() > 0 ? plc_build_epoch() : plc_compile_epoch())

    /// A day before `buildEpoch` (seconds, UTC), so that no time zone puts the build's own day
    /// below the floor; never before `projectStart`.
    public static func earliest(buildEpoch: Int64) -> Int64 {
        max(projectStart, (buildEpoch - 86_400) * 1000)
    }

    /// The newest row of the folder: the floor a clock that is not (yet) trusted must not go below.
    public struct NewestRow: Equatable, Sendable {
        /// The file that holds it.
        public let file: String
        /// Its local time, in ms.
        public let local: Int64
    }

    /// The local time of the last row of the newest `prefix_*.csv` file in `folder`, if any.
    static func newestRow(folder: String, prefix: String) -> NewestRow? {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix(prefix + "_") && $0.hasSuffix(".csv") }.sorted()
        for name in names.reversed() {
            let found = CSVLines.lastLine(folder.pathAppending(name)) { line in
                line.bytes.count >= 19 ? parse(Substring(String(decoding: UnsafeBufferPointer(rebasing: line.bytes[0..<19]), as: UTF8.self))) : nil
            }
            if let found { return NewestRow(file: name, local: found) }
        }
        return nil
    }

    /// True when the kernel says the clock is synchronised (NTP, chrony, systemd-timesyncd: `adjtimex`
    /// reports no `STA_UNSYNC`). Such a clock is trusted over the newest row of any file.
    public static func kernelSynchronised() -> Bool {
        plc_clock_synchronised() != 0
    }

    /// How long a clock must run steadily (no step against the monotonic clock) before it is
    /// trusted over the newest row when the kernel does not say it is synchronised: 10 minutes,
    /// or `PLC_CLOCK_TRUST_AFTER` seconds from the environment (for tests).
    public static let steadyTrustAfter: Int64 = {
        if let text = getenv("PLC_CLOCK_TRUST_AFTER").map({ String(cString: $0) }), let seconds = Int64(text), seconds >= 0 {
            return seconds * 1000
        }
        return 600_000
    }()

    /// `2026-11-25 18:41:30` as local ms since 1970-01-01 00:00 local, or nil.
    static func parse(_ text: Substring) -> Int64? {
        guard text.count == 19, var t = CivilTime.fields(text) else { return nil }
        return Int64(timegm(&t)) * 1000
    }
}
