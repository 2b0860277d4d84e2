#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// Parses and prints IEC 61131-3 literals (`TRUE`, `16#0FA0`, `1.5E3`, `T#1m30s`, `'text'`).
public enum IECLiteral {
    /// Parses `text` as a literal of `type`; throws a one-line reason when it is malformed or out of range.
    public static func parse(_ text: String, as type: IECType) throws(IECError) -> IECValue {
        let trimmed = text.trimmingSpaces()
        switch type {
        case .bool: return try parseBool(trimmed)
        case .real, .lreal: return try parseReal(trimmed, as: type)
        case .time: return .time(try parseTime(trimmed))
        case .string: return .string(try parseString(text))
        case .array(let element, let count): return try parseArray(trimmed, element: element, count: count)
        case .enumeration(let e):
            if let v = e.value(of: trimmed) { return .int(v) }
            if let n = Int64(trimmed), type.integerRange!.contains(n) { return .int(n) }
            throw IECError("'\(trimmed)' is not a value of \(e.name) (one of \(e.cases.joined(separator: ", ")))")
        default: return .int(try parseInteger(trimmed, as: type))
        }
    }

    /// Prints `value` as the canonical literal of `type` (TIME as `T#<n>ms`, WORD as `16#XXXX`).
    public static func format(_ value: IECValue, as type: IECType) -> String {
        switch (type, value) {
        case (.bool, .bool(let b)): return b ? "TRUE" : "FALSE"
        case (.time, .time(let ms)): return "T#\(ms)ms"
        case (.string, .string(let s)): return quote(s)
        case (.real, _): return formatReal(Double(Float(value.real)), single: true)
        case (.lreal, _): return formatReal(value.real, single: false)
        case (.enumeration(let e), .int(let v)):
            return e.cases.indices.contains(Int(v)) ? e.cases[Int(v)] : String(v)
        case (.array(let element, _), .array(let items)):
            return "[" + items.map { format($0, as: element) }.joined(separator: ", ") + "]"
        case (_, .int(let v)) where type.isBitString:
            let digits = type == .byte ? 2 : type == .word ? 4 : 8
            let hex = String(UInt64(bitPattern: v), radix: 16, uppercase: true)
            return "16#" + String(repeating: "0", count: max(0, digits - hex.count)) + hex
        case (_, .int(let v)): return String(v)
        default: return String(describing: value)
        }
    }

    /// Prints `value` for people, as Codesys's online view shows it: TIME in units
    /// (`T#1d`, `T#5m`, `T#1s500ms`, `T#0ms`), every other type as `format` does. Reads back with `parse`.
    public static func readable(_ value: IECValue, as type: IECType) -> String {
        guard type == .time, case .time(let ms) = value else { return format(value, as: type) }
        return readableTime(ms)
    }

    /// TIME literal units, largest first, with their length in ms: one table for parsing and printing.
    static let timeUnits: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]

    /// A TIME in ms as `T#<d>d<h>h<m>m<s>s<ms>ms`, leaving out zero units (`T#0ms` for zero, `T#-2s` below).
    public static func readableTime(_ ms: Int64) -> String {
        guard ms != 0 else { return "T#0ms" }
        var rest = ms.magnitude
        var text = ms < 0 ? "T#-" : "T#"
        for (unit, size) in timeUnits {
            let count = rest / UInt64(size)
            rest %= UInt64(size)
            if count > 0 { text += "\(count)\(unit)" }
        }
        return text
    }

    /// Prints a real with the shortest digits that read back to the same value (`229.7`, not `229.70000000000002`).
    public static func formatReal(_ v: Double, single: Bool) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "Inf" }
        var text = single ? Float(v).description : v.description
        if let e = text.firstIndex(of: "e") {
            // Swift prints 1e+16; IEC wants a mantissa with a point: 1.0E+16.
            var mantissa = String(text[..<e])
            if !mantissa.contains(".") { mantissa += ".0" }
            text = mantissa + "E" + text[text.index(after: e)...]
        }
        return text
    }

    /// True when `a` equals `b` for `type`; reals compare with a relative tolerance of 1e-6.
    public static func matches(_ a: IECValue, _ b: IECValue, as type: IECType) -> Bool {
        if type.isReal {
            let x = a.real, y = b.real
            if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
            if x == y { return true }
            return abs(x - y) <= 1e-6 * max(abs(x), abs(y)) + 1e-12
        }
        if case .array(let element, _) = type, case .array(let xs) = a, case .array(let ys) = b {
            return xs.count == ys.count && zip(xs, ys).allSatisfy { matches($0, $1, as: element) }
        }
        return a == b
    }

    // MARK: - Elementary parsers

    private static func stripTypePrefix(_ text: String, _ names: [String]) -> String {
        guard let hash = text.firstIndex(of: "#") else { return text }
        let prefix = text[..<hash].uppercased()
        return names.contains(prefix) ? String(text[text.index(after: hash)...]) : text
    }

    private static func parseBool(_ text: String) throws(IECError) -> IECValue {
        switch stripTypePrefix(text, ["BOOL"]).uppercased() {
        case "TRUE", "1": return .bool(true)
        case "FALSE", "0": return .bool(false)
        default: throw IECError("'\(text)' is not a BOOL (expected TRUE or FALSE)")
        }
    }

    static func parseInteger(_ text: String, as type: IECType) throws(IECError) -> Int64 {
        let body = stripTypePrefix(text, [type.name, "BYTE", "WORD", "DWORD", "SINT", "USINT", "INT", "UINT",
                                          "DINT", "UDINT", "LINT"])
        var digits = Substring(body.replacingEvery("_", with: ""))
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        var radix = 10
        if let hash = digits.firstIndex(of: "#") {
            switch digits[..<hash] {
            case "16": radix = 16
            case "8": radix = 8
            case "2": radix = 2
            default: throw IECError("'\(text)' has an unknown base (use 2#, 8# or 16#)")
            }
            digits = digits[digits.index(after: hash)...]
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isHexDigit && Int(String($0), radix: radix) != nil }) else {
            throw IECError("'\(text)' is not an integer literal for \(type.name)")
        }
        guard let magnitude = UInt64(digits, radix: radix) else { throw outOfRange(text, type) }
        let range = type.integerRange!
        let value: Int64
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw outOfRange(text, type) }
            value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        } else {
            guard magnitude <= UInt64(Int64.max) else { throw outOfRange(text, type) }
            value = Int64(magnitude)
        }
        guard range.contains(value) else { throw outOfRange(text, type) }
        return value
    }

    private static func outOfRange(_ text: String, _ type: IECType) -> IECError {
        let r = type.integerRange!
        return IECError("'\(text)' is out of range for \(type.name) (\(r.lowerBound)..\(r.upperBound))")
    }

    private static func parseReal(_ text: String, as type: IECType) throws(IECError) -> IECValue {
        let body = stripTypePrefix(text, ["REAL", "LREAL"]).replacingEvery("_", with: "")
        let allowed = Set("0123456789.eE+-".unicodeScalars)
        guard !body.isEmpty, body.unicodeScalars.allSatisfy(allowed.contains), let v = Double(body) else {
            throw IECError("'\(text)' is not a \(type.name) literal")
        }
        guard v.isFinite else { throw IECError("'\(text)' is out of range for \(type.name)") }
        if type == .real {
            let single = Float(v)
            guard single.isFinite else { throw IECError("'\(text)' is out of range for REAL") }
            return .real(Double(single))
        }
        return .real(v)
    }

    /// Parses `T#1h2m3s4ms`, `TIME#250ms`, `t#1.5s`, `T#-5s` into milliseconds.
    public static func parseTime(_ text: String) throws(IECError) -> Int64 {
        let bad = IECError("'\(text)' is not a TIME literal (expected e.g. T#1m30s or TIME#250ms)")
        guard let hash = text.firstIndex(of: "#"),
              ["T", "TIME"].contains(text[..<hash].uppercased()) else { throw bad }
        var rest = Substring(text[text.index(after: hash)...].lowercased().replacingEvery("_", with: ""))
        var negative = false
        if rest.first == "-" { negative = true; rest = rest.dropFirst() }
        guard !rest.isEmpty else { throw bad }
        var total = 0.0
        var lastUnit = -1
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let amount = Double(number) else { throw bad }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { $0.isLetter }
            guard let unit = timeUnits.firstIndex(where: { $0.0 == unitText }) else { throw bad }
            guard unit > lastUnit else {
                throw IECError("'\(text)': TIME units must go from largest to smallest (d, h, m, s, ms)")
            }
            lastUnit = unit
            rest = rest.dropFirst(unitText.count)
            total += amount * Double(timeUnits[unit].1)
        }
        guard total <= Double(Int64(Int32.max) * 1000) else { throw IECError("'\(text)' is out of range for TIME") }
        let ms = Int64(total.rounded())
        return negative ? -ms : ms
    }

    /// Parses `'text'` with `$` escapes; text without quotes is taken as it is.
    private static func parseString(_ raw: String) throws(IECError) -> String {
        let text = raw.trimmingSpaces()
        guard text.count >= 2, text.first == "'", text.last == "'" else {
            if text.hasPrefix("'") { throw IECError("unterminated STRING literal \(text)") }
            return raw
        }
        var out = ""
        var chars = text.dropFirst().dropLast()[...]
        while let c = chars.popFirst() {
            guard c == "$" else {
                if c == "'" { throw IECError("unescaped quote in STRING literal \(text) (write $')") }
                out.append(c)
                continue
            }
            guard let e = chars.popFirst() else { throw IECError("dangling $ in STRING literal \(text)") }
            switch e.uppercased() {
            case "$": out.append("$")
            case "'": out.append("'")
            case "N", "L": out.append("\n")
            case "R": out.append("\r")
            case "T": out.append("\t")
            default:
                let hex = String(e) + String(chars.prefix(1))
                guard hex.count == 2, let code = UInt8(hex, radix: 16) else {
                    throw IECError("unknown escape $\(e) in STRING literal \(text)")
                }
                chars = chars.dropFirst()
                out.unicodeScalars.append(Unicode.Scalar(code))
            }
        }
        return out
    }

    private static func quote(_ s: String) -> String {
        var out = "'"
        for c in s {
            switch c {
            case "$": out += "$$"
            case "'": out += "$'"
            case "\n": out += "$N"
            case "\r": out += "$R"
            case "\t": out += "$T"
            default: out.append(c)
            }
        }
        return out + "'"
    }

    private static func parseArray(_ text: String, element: IECType, count: Int) throws(IECError) -> IECValue {
        guard text.hasPrefix("["), text.hasSuffix("]") else {
            throw IECError("'\(text)' is not an array literal (expected [a, b, ...])")
        }
        let inner = text.dropFirst().dropLast().trimmingSpaces()
        let parts = inner.isEmpty ? [] : inner.components(separatedBy: ",")
        var items: [IECValue] = []
        for part in parts {
            // IEC repeat syntax: 16(TRUE) is sixteen TRUEs.
            let text = part.trimmingSpaces()
            if let open = text.firstIndex(of: "("), text.hasSuffix(")"), let n = Int(text[..<open]), n >= 0 {
                let value = try parse(String(text[text.index(after: open)..<text.index(before: text.endIndex)]), as: element)
                items += Array(repeating: value, count: n)
            } else {
                items.append(try parse(text, as: element))
            }
        }
        guard items.count <= count else {
            throw IECError("array literal has \(items.count) elements, the type holds \(count)")
        }
        items += Array(repeating: element.defaultValue, count: count - items.count)
        return .array(items)
    }
}
