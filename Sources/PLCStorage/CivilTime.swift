public import Glibc

/// Calendar text for local times given as milliseconds since 1970-01-01 00:00 local time.
///
/// The scan context already carries local time, so formatting needs no time zone look-up.
public enum CivilTime {
    /// `2026-11-25 18:41:30`
    public static func timestamp(_ localMs: Int64) -> String {
        let t = parts(localMs)
        return "\(date(t)) \(pad(t.tm_hour)):\(pad(t.tm_min)):\(pad(t.tm_sec))"
    }

    /// `2026-11-25 18:41:30,123`, as the error log writes it.
    public static func logTimestamp(_ localMs: Int64) -> String {
        let ms = Int(((localMs % 1000) + 1000) % 1000)
        return timestamp(localMs) + "," + String(repeating: "0", count: ms < 10 ? 2 : ms < 100 ? 1 : 0) + String(ms)
    }

    /// `2026-11-25`
    public static func date(_ localMs: Int64) -> String {
        date(parts(localMs))
    }

    /// The calendar fields of `2026-11-25 18:41:30` (any text of six numbers split by `-`, space
    /// and `:`), or nil; no time zone applied, `tm_isdst` unknown (-1).
    public static func fields(_ text: some StringProtocol) -> tm? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).compactMap { Int32($0) }
        guard parts.count == 6 else { return nil }
        var t = tm()
        t.tm_year = parts[0] - 1900
        t.tm_mon = parts[1] - 1
        t.tm_mday = parts[2]
        t.tm_hour = parts[3]
        t.tm_min = parts[4]
        t.tm_sec = parts[5]
        t.tm_isdst = -1
        return t
    }

    /// A duration as `3m 30s`, `2h 5m`, `450ms`.
    public static func duration(_ ms: Int64) -> String {
        if ms < 1000 { return "\(ms)ms" }
        let s = ms / 1000
        let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60)
        let units = [(d, "d"), (h, "h"), (m, "m"), (sec, "s")].drop { $0.0 == 0 }
        return units.prefix(2).map { "\($0.0)\($0.1)" }.joined(separator: " ")
    }

    private static func parts(_ localMs: Int64) -> tm {
        var seconds = time_t(localMs >= 0 ? localMs / 1000 : (localMs - 999) / 1000)
        var t = tm()
        gmtime_r(&seconds, &t)
        return t
    }

    private static func date(_ t: tm) -> String {
        "\(t.tm_year + 1900)-\(pad(t.tm_mon + 1))-\(pad(t.tm_mday))"
    }

    private static func pad(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
}
