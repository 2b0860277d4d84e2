import PLCCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// Codesys's text forms of values (`*_TO_STRING`) and the parsing of `STRING_TO_*`.
enum Format {
    /// `T#3m30s`, `T#1d2h`, `T#0ms`: non-zero components only, as Codesys's TIME_TO_STRING writes.
    static func time(_ ms: Int64, prefix: String = "T#") -> String {
        var rest = ms, parts = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            let n = rest / size
            rest %= size
            if n != 0 { parts += "\(n)\(unit)" }
        }
        return prefix + (parts.isEmpty ? "0ms" : parts)
    }

    /// Civil date (y, m, d) of a day count since 1970-01-01.
    static func civil(_ days: Int64) -> (Int64, Int64, Int64) {
        let d = CivilDate.date(days)
        return (d.year, d.month, d.day)
    }

    private static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// `DT#2026-11-25-18:41:30` for seconds since 1970.
    static func dateTime(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let (y, m, d) = civil(days)
        let s = seconds - days * 86400
        return "DT#\(y)-\(two(m))-\(two(d))-\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))"
    }

    static func date(_ seconds: Int64) -> String {
        let (y, m, d) = civil(seconds / 86400)
        return "D#\(y)-\(two(m))-\(two(d))"
    }

    static func timeOfDay(_ ms: Int64) -> String {
        let s = ms / 1000
        let frac = ms % 1000
        return "TOD#\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))" + (frac != 0 ? ".\(frac)" : "")
    }

    /// A REAL or LREAL the way Codesys prints it: shortest digits that read back.
    static func real(_ v: Double, single: Bool) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-INF" : "INF" }
        let text = single ? Float(v).description : v.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// The code of `X_TO_STRING` for a checked expression.
    static func toString(_ t: Typed) -> Code.Str {
        let type = t.type
        switch t.value {
        case .str(let v): return v
        case .real(let v):
            let single = type == .real
            return { real(v($0), single: single) }
        case .int(let v):
            switch type {
            case .bool: return { v($0) != 0 ? "TRUE" : "FALSE" }
            case .time: return { time(v($0)) }
            case .ltime: return { time(v($0) / 1_000_000, prefix: "LTIME#") }
            case .dt: return { dateTime(v($0)) }
            case .date: return { date(v($0)) }
            case .tod: return { timeOfDay(v($0)) }
            case .enumeration(let e):
                return { env in
                    let x = v(env)
                    return e.cases.first { $0.value == x }?.name ?? String(x)
                }
            default:
                if type == .ulint || type == .lword { return { String(UInt64(bitPattern: v($0))) } }
                return { String(v($0)) }
            }
        case .none: return { _ in "" }
        }
    }

    /// `STRING_TO_*`: reads a number, TIME or BOOL literal; 0 when it is not one.
    static func parse(_ s: String, as type: STType) -> Int64 {
        let text = s.trimmingSpaces()
        if type == .bool { return text.uppercased() == "TRUE" || text == "1" ? 1 : 0 }
        if type.isTime {
            var body = Substring(text)
            if let hash = body.firstIndex(of: "#") { body = body[body.index(after: hash)...] }
            let ns = Lexer.parseDuration(String(body)) ?? 0
            return type == .ltime ? ns : (ns / 1_000_000) & 0xFFFF_FFFF
        }
        if let v = Int64(text) { return type.normalise(v) }
        if let d = Double(text) { return type.normalise(Emit.roundToInt(d)) }
        return 0
    }
}
