import PLCCore
/// Local wall-clock times as written in the CSV files, counted in seconds from 1970-01-01 00:00
/// local time: no time zone and no daylight saving shift, so hours and days are plain arithmetic.
public enum LocalTime {
    /// Days since 1970-01-01 of a proleptic Gregorian date.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        Int(CivilDate.days(year: Int64(year), month: Int64(month), day: Int64(day)))
    }

    /// The date of a day number: (year, month, day).
    public static func civil(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let d = CivilDate.date(Int64(days))
        return (Int(d.year), Int(d.month), Int(d.day))
    }

    /// Parses `YYYY-MM-DD` into a day number; nil when it is not a valid date.
    public static func parseDate(_ text: String) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 10 else { return nil }
        return b.withUnsafeBufferPointer { parseDate($0, at: 0) }
    }

    /// Parses `YYYY-MM-DD` at `i` in `bytes`; nil when it is not a valid date.
    static func parseDate(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        guard i + 10 <= bytes.count, bytes[i + 4] == UInt8(ascii: "-"), bytes[i + 7] == UInt8(ascii: "-"),
              let y = digits(bytes, i, 4), let m = digits(bytes, i + 5, 2), let d = digits(bytes, i + 8, 2),
              (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y) else { return nil }
        return days(year: y, month: m, day: d)
    }

    /// Parses `YYYY-MM-DD HH:MM:SS` (the CSV timestamp) into seconds; nil when malformed.
    static func parseTimestamp(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        guard end - start == 19, let day = parseDate(bytes, at: start),
              bytes[start + 10] == UInt8(ascii: " ") || bytes[start + 10] == UInt8(ascii: "T"),
              bytes[start + 13] == UInt8(ascii: ":"), bytes[start + 16] == UInt8(ascii: ":"),
              let h = digits(bytes, start + 11, 2), let mi = digits(bytes, start + 14, 2),
              let s = digits(bytes, start + 17, 2), h < 24, mi < 60, s < 61 else { return nil }
        return Int64(day) * 86_400 + Int64(h * 3600 + mi * 60 + s)
    }

    /// `YYYY-MM-DD` for a day number.
    public static func dateText(_ days: Int) -> String {
        let c = civil(days)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> Int? {
        var v = 0
        for k in i..<(i + n) {
            let c = bytes[k] &- UInt8(ascii: "0")
            guard c < 10 else { return nil }
            v = v * 10 + Int(c)
        }
        return v
    }
}
