import PLCCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// Splits ST source into tokens; comments (nested `(* *)`, `/* */`, `//`) and pragmas (`{...}`) are skipped.
struct Lexer {
    static let keywords: Set<String> = [
        "PROGRAM", "END_PROGRAM", "FUNCTION", "END_FUNCTION", "FUNCTION_BLOCK", "END_FUNCTION_BLOCK",
        "TYPE", "END_TYPE", "STRUCT", "END_STRUCT", "VAR", "VAR_INPUT", "VAR_OUTPUT", "VAR_IN_OUT",
        "VAR_TEMP", "VAR_GLOBAL", "VAR_STAT", "VAR_EXTERNAL", "END_VAR", "CONSTANT", "RETAIN", "PERSISTENT",
        "ARRAY", "OF", "POINTER", "TO", "REFERENCE", "IF", "THEN", "ELSIF", "ELSE", "END_IF", "CASE",
        "END_CASE", "FOR", "BY", "DO", "END_FOR", "WHILE", "END_WHILE", "REPEAT", "UNTIL", "END_REPEAT",
        "EXIT", "CONTINUE", "RETURN", "AND", "OR", "XOR", "NOT", "MOD", "TRUE", "FALSE", "AND_THEN", "OR_ELSE",
    ]

    static let durationPrefixes: Set<String> = ["T", "TIME", "LT", "LTIME"]
    static let dateTimePrefixes: [String: String] = [
        "DT": "DT", "DATE_AND_TIME": "DT", "D": "DATE", "DATE": "DATE", "TOD": "TOD", "TIME_OF_DAY": "TOD",
    ]

    let file: String
    private let chars: [Character]
    private var i = 0
    private var line = 1
    private var column = 1
    private(set) var diagnostics: [STDiagnostic] = []
    /// The pragmas (`attribute 'qualified_only'`) written just before the token at each index.
    private(set) var pragmas: [Int: [String]] = [:]
    private var pendingPragmas: [String] = []
    /// The text of each `//` comment by line, for the comment column of variable tables.
    private(set) var lineComments: [Int: String] = [:]

    init(_ text: String, file: String) {
        self.file = file
        var t = text
        if t.hasPrefix("\u{FEFF}") { t.removeFirst() }
        // "\r\n" is one Character in Swift: make every line end a plain "\n" first.
        if t.utf8.contains(13) { t = t.replacingEvery("\r\n", with: "\n").replacingEvery("\r", with: "\n") }
        chars = Array(t)
    }

    /// Every token of the source, ending with `.end`.
    mutating func tokens() -> [Token] {
        var out: [Token] = []
        while true {
            skipTrivia()
            let start = here
            guard i < chars.count else {
                out.append(Token(kind: .end, location: start))
                return out
            }
            if let kind = next(start) {
                if !pendingPragmas.isEmpty {
                    pragmas[out.count] = pendingPragmas
                    pendingPragmas = []
                }
                out.append(Token(kind: kind, location: start))
            }
        }
    }

    private var here: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    private func peek(_ k: Int = 0) -> Character? { i + k < chars.count ? chars[i + k] : nil }

    private mutating func advance() {
        if chars[i] == "\n" { line += 1; column = 1 } else { column += 1 }
        i += 1
    }

    private mutating func error(_ at: SourceLocation, _ message: String) {
        diagnostics.append(STDiagnostic(at, message))
    }

    private mutating func skipTrivia() {
        while let c = peek() {
            if c.isWhitespace { advance(); continue }
            if c == "/" && peek(1) == "/" {
                let commentLine = line
                var text = ""
                while let d = peek(), d != "\n" { text.append(d); advance() }
                lineComments[commentLine] = String(text.dropFirst(2)).trimmingSpacesAndNewlines()
                continue
            }
            if c == "(" && peek(1) == "*" { skipBlock(open: "(*", close: "*)"); continue }
            if c == "/" && peek(1) == "*" { skipBlock(open: "/*", close: "*/"); continue }
            if c == "{" {
                let start = here
                var text = ""
                while let d = peek(), d != "}" { text.append(d); advance() }
                if peek() == nil { error(start, "unterminated pragma") } else { advance() }
                pendingPragmas.append(String(text.dropFirst()).trimmingSpaces())
                continue
            }
            return
        }
    }

    private mutating func skipBlock(open: String, close: String) {
        let start = here
        let o = Array(open), c = Array(close)
        var depth = 0
        while i < chars.count {
            if peek() == o[0] && peek(1) == o[1] { depth += 1; advance(); advance(); continue }
            if peek() == c[0] && peek(1) == c[1] {
                depth -= 1; advance(); advance()
                if depth == 0 { return }
                continue
            }
            advance()
        }
        error(start, "unterminated comment")
    }

    private mutating func next(_ start: SourceLocation) -> Token.Kind? {
        let c = chars[i]
        if c.isLetter || c == "_" { return word(start) }
        if c.isNumber { return number(start, type: nil) }
        if c == "'" || c == "\"" { return string(start, quote: c) }
        let two = peek(1).map { String([c, $0]) } ?? ""
        if [":=", "=>", "..", "<=", ">=", "<>", "**"].contains(two) {
            advance(); advance()
            return .symbol(two)
        }
        if "()[];:,.+-*/<>=^&#".contains(c) {
            advance()
            return .symbol(String(c))
        }
        advance()
        error(start, "unexpected character '\(c)'")
        return nil
    }

    private mutating func readWord() -> String {
        var s = ""
        while let c = peek(), c.isLetter || c.isNumber || c == "_" { s.append(c); advance() }
        return s
    }

    private mutating func word(_ start: SourceLocation) -> Token.Kind? {
        let w = readWord()
        let upper = w.uppercased()
        guard peek() == "#" else {
            return Self.keywords.contains(upper) ? .keyword(upper) : .identifier(w)
        }
        advance()
        if Self.durationPrefixes.contains(upper) {
            let text = readLiteralBody(allowingColon: false)
            guard let ns = Self.parseDuration(text) else {
                error(start, "malformed duration literal '\(w)#\(text)'")
                return .duration(0, long: false)
            }
            return .duration(ns, long: upper.hasPrefix("L"))
        }
        if let type = Self.dateTimePrefixes[upper] {
            let text = readLiteralBody(allowingColon: true)
            guard let v = Self.parseDateTime(text, type: type) else {
                error(start, "malformed \(type) literal '\(w)#\(text)'")
                return .dateTime(0, type: type)
            }
            return .dateTime(v, type: type)
        }
        if upper == "BOOL" {
            let v = readWord().uppercased()
            if v == "TRUE" || v == "1" { return .keyword("TRUE") }
            if v == "FALSE" || v == "0" { return .keyword("FALSE") }
            error(start, "malformed BOOL literal")
            return .keyword("FALSE")
        }
        if upper == "STRING" || upper == "WSTRING", let q = peek(), q == "'" || q == "\"" {
            return string(start, quote: q)
        }
        if let c = peek(), c.isNumber || c == "-" || c == "+" {
            var negative = false
            if c == "-" || c == "+" { negative = c == "-"; advance() }
            guard let kind = number(start, type: upper) else { return nil }
            switch kind {
            case .integer(let v, _): return .integer(negative ? -v : v, type: upper)
            case .real(let v, _): return .real(negative ? -v : v, type: upper)
            default: return kind
            }
        }
        // An enumeration's typed literal E#VALUE: the lexer hands it on as a qualified name.
        let value = readWord()
        return .identifier("\(w)#\(value)")
    }

    private mutating func readLiteralBody(allowingColon: Bool) -> String {
        var s = ""
        while let c = peek(), c.isLetter || c.isNumber || c == "_" || c == "." || c == "-" || c == "+"
            || (allowingColon && c == ":") {
            s.append(c); advance()
        }
        return s
    }

    private mutating func digits(radix: Int) -> String {
        var s = ""
        while let c = peek(), c.isHexDigit || c == "_" {
            if c != "_" {
                guard c.hexDigitValue! < radix else { break }
                s.append(c)
            }
            advance()
        }
        return s
    }

    private mutating func number(_ start: SourceLocation, type: String?) -> Token.Kind? {
        var text = digits(radix: 10)
        if peek() == "#" {
            advance()
            guard let radix = Int(text), [2, 8, 16].contains(radix) else {
                error(start, "unsupported number base '\(text)#'")
                return .integer(0, type: type)
            }
            let body = digits(radix: radix)
            guard !body.isEmpty, let v = UInt64(body, radix: radix) else {
                error(start, "malformed \(radix)# literal")
                return .integer(0, type: type)
            }
            return .integer(Int64(bitPattern: v), type: type)
        }
        var isReal = false
        if peek() == ".", let d = peek(1), d.isNumber {
            isReal = true
            advance()
            text += "." + digits(radix: 10)
        }
        if let e = peek(), e == "e" || e == "E",
           let d = peek(1), d.isNumber || ((d == "-" || d == "+") && (peek(2)?.isNumber ?? false)) {
            isReal = true
            advance()
            text += "e"
            if d == "-" || d == "+" { text.append(d); advance() }
            text += digits(radix: 10)
        }
        if isReal {
            return .real(Double(text) ?? 0, type: type)
        }
        guard let v = Int64(text) ?? UInt64(text).map({ Int64(bitPattern: $0) }) else {
            error(start, "integer literal \(text) is too large")
            return .integer(0, type: type)
        }
        return .integer(v, type: type)
    }

    private mutating func string(_ start: SourceLocation, quote: Character) -> Token.Kind? {
        advance()
        var s = ""
        while let c = peek() {
            if c == quote { advance(); return .string(s) }
            if c == "\n" { break }
            if c == "$" {
                advance()
                guard let e = peek() else { break }
                advance()
                switch e.uppercased() {
                case "N", "L": s.append("\n")
                case "R": s.append("\r")
                case "T": s.append("\t")
                case "P": s.append("\u{0C}")
                case "$": s.append("$")
                case "'": s.append("'")
                case "\"": s.append("\"")
                default:
                    if let h2 = peek(), let a = e.hexDigitValue, let b = h2.hexDigitValue {
                        advance()
                        s.append(Character(Unicode.Scalar(UInt8(a * 16 + b))))
                    } else {
                        error(start, "unknown escape '$\(e)' in string")
                    }
                }
                continue
            }
            s.append(c)
            advance()
        }
        error(start, "unterminated string literal")
        return .string(s)
    }

    /// `1h2m3s4ms`, `1.5s`, `-5s`, `100ms`: nanoseconds, or nil when malformed.
    static func parseDuration(_ text: String) -> Int64? {
        var s = Substring(text.replacingEvery("_", with: "").lowercased())
        var sign: Int64 = 1
        if s.hasPrefix("-") { sign = -1; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        guard !s.isEmpty else { return nil }
        let units: [(String, Double)] = [("ms", 1e6), ("us", 1e3), ("ns", 1), ("d", 86400e9), ("h", 3600e9),
                                         ("m", 60e9), ("s", 1e9)]
        var total = 0.0
        while !s.isEmpty {
            var number = ""
            while let c = s.first, c.isNumber || c == "." { number.append(c); s = s.dropFirst() }
            guard let value = Double(number), let unit = units.first(where: { s.hasPrefix($0.0) }) else { return nil }
            s = s.dropFirst(unit.0.count)
            total += value * unit.1
        }
        // Beyond LTIME's range (about 292 years) the literal is malformed, not a crash.
        guard total.isFinite, total.rounded() < 9.2e18 else { return nil }
        return sign * Int64(total.rounded())
    }

    /// `2026-11-25-18:41:30` (DT, seconds), `2026-11-25` (DATE, seconds), `18:41:30.5` (TOD, ms).
    static func parseDateTime(_ text: String, type: String) -> Int64? {
        func days(_ y: Int64, _ m: Int64, _ d: Int64) -> Int64? {
            guard (0...99_999).contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
            return CivilDate.days(year: y, month: m, day: d)
        }
        func timeOfDay(_ t: Substring) -> Int64? {
            let p = t.split(separator: ":")
            guard p.count >= 2, let h = Int64(p[0]), let m = Int64(p[1]), (0...1_000_000).contains(h), (0...1_000_000).contains(m)
            else { return nil }
            let sec = p.count > 2 ? Double(p[2]) : 0
            guard let sec, sec.isFinite, (0...1e9).contains(sec) else { return nil }
            return (h * 3600 + m * 60) * 1000 + Int64((sec * 1000).rounded())
        }
        switch type {
        case "TOD": return timeOfDay(Substring(text))
        case "DATE":
            let p = text.split(separator: "-").compactMap { Int64($0) }
            guard p.count == 3, let day = days(p[0], p[1], p[2]) else { return nil }
            return day * 86400
        default:
            let p = text.split(separator: "-", maxSplits: 3)
            guard p.count == 4, let y = Int64(p[0]), let m = Int64(p[1]), let d = Int64(p[2]),
                  let tod = timeOfDay(p[3]), let day = days(y, m, d) else { return nil }
            return day * 86400 + tod / 1000
        }
    }
}
