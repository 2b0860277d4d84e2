#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// The standard functions of Codesys's Standard library and the IEC operators written as calls.
enum Builtins {
    static let names: Set<String> = [
        "ABS", "SQRT", "LN", "LOG", "EXP", "EXPT", "SIN", "COS", "TAN", "ASIN", "ACOS", "ATAN", "TRUNC", "TRUNC_INT",
        "MIN", "MAX", "LIMIT", "SEL", "MUX", "SHL", "SHR", "ROL", "ROR", "LEN", "LEFT", "RIGHT", "MID", "FIND",
        "INSERT", "DELETE", "REPLACE", "CONCAT", "TIME", "ADR", "SIZEOF",
    ]

    static func isBuiltin(_ name: String) -> Bool {
        let upper = name.uppercased()
        return names.contains(upper) || conversion(upper) != nil
    }

    /// `X_TO_Y` or `TO_Y`: the source type (nil for TO_Y) and the target type.
    static func conversion(_ upper: String) -> (from: STType?, to: STType)? {
        if upper.hasPrefix("TO_"), let to = STType.elementary[String(upper.dropFirst(3))] { return (nil, to) }
        guard let range = upper.firstRange(of: "_TO_") else { return nil }
        guard let from = STType.elementary[String(upper[..<range.lowerBound])],
              let to = STType.elementary[String(upper[range.upperBound...])] else { return nil }
        return (from, to)
    }

    static func power(_ a: Double, _ b: Double) -> Double { Glibc.pow(a, b) }

    static let maxString = 255

    static func truncated(_ s: String) -> String { limit(s, maxString) }

    /// `s` cut to `n` characters; the byte count (O(1)) settles the common case without counting.
    static func limit(_ s: String, _ n: Int) -> String {
        s.utf8.count <= n || s.count <= n ? s : String(s.prefix(n))
    }

    /// Checks a standard function call and emits its code.
    static func check(_ name: String, _ argExprs: [AST.Expr], _ at: SourceLocation, _ c: Checker) -> Typed {
        let upper = name.uppercased()
        if upper == "ADR" || upper == "SIZEOF" {
            guard argExprs.count == 1 else {
                c.error(at, "\(upper) takes 1 argument, \(argExprs.count) given")
                return .invalid
            }
            let t = c.expr(argExprs[0])
            if t.isInvalid { return .invalid }
            if upper == "SIZEOF" { return c.intConstant(Int64(t.type.size * 8), .udint) }
            guard let place = t.place else {
                c.error(argExprs[0].location, "ADR needs a variable, not an expression")
                return .invalid
            }
            let a = place.addr
            let tag: Int64 = t.type.isString ? Pointer.stringTag : 0
            return Typed(type: .pointer(t.type), value: .int { Int64(Int(bitPattern: a($0))) | tag }, place: nil)
        }
        let args = argExprs.map(c.expr)
        if args.contains(where: \.isInvalid) { return .invalid }
        func arity(_ n: ClosedRange<Int>) -> Bool {
            guard n.contains(args.count) else {
                let want = n.lowerBound == n.upperBound ? "\(n.lowerBound)" : "\(n.lowerBound) to \(n.upperBound)"
                c.error(at, "\(upper) takes \(want) argument(s), \(args.count) given")
                return false
            }
            return true
        }
        func real(_ i: Int, _ type: STType = .lreal) -> Code.Real {
            if case .real(let v) = c.coerce(args[i], to: type, at: argExprs[i].location) { return v }
            return { _ in 0 }
        }
        func int(_ i: Int, _ type: STType) -> Code.Int {
            if case .int(let v) = c.coerce(args[i], to: type, at: argExprs[i].location) { return v }
            return { _ in 0 }
        }
        func str(_ i: Int) -> Code.Str {
            guard args[i].type.isString, case .str(let v) = args[i].value else {
                c.error(argExprs[i].location, "\(upper) needs a STRING here, not '\(args[i].type)'")
                return { _ in "" }
            }
            return v
        }
        let s255 = STType.string(maxString)
        if let (from, to) = conversion(upper) {
            guard arity(1...1) else { return .invalid }
            var source = args[0]
            if let from {
                if case .enumeration = source.type, from.isIntegral {
                    source.type = from
                } else if source.type != from {
                    let value = c.coerce(source, to: from, at: argExprs[0].location)
                    source = Typed(type: from, value: value, place: nil)
                }
            } else if !(source.type.isNumeric || source.type.isTime || source.type == .bool || source.type.isString
                        || source.type.isDateTime) {
                c.error(argExprs[0].location, "cannot convert '\(source.type)' to '\(to)'")
                return .invalid
            }
            if source.isInvalid { return .invalid }
            if case .str(let s) = source.value, !to.isString {
                if to.isReal { return Typed(type: to, value: .real { Double(s($0).trimmingSpaces()) ?? 0 }, place: nil) }
                return Typed(type: to, value: .int { Format.parse(s($0), as: to) }, place: nil)
            }
            if source.type == .dt && to == .string(80) || to.isString {
                return Typed(type: .string(maxString), value: Emit.convert(source, to: .string(maxString)), place: nil)
            }
            return Typed(type: to, value: Emit.convert(source, to: to), place: nil)
        }
        switch upper {
        case "TIME":
            guard arity(0...0) else { return .invalid }
            return Typed(type: .time, value: .int { $0.time }, place: nil)
        case "ABS":
            guard arity(1...1) else { return .invalid }
            switch args[0].value {
            case .int(let v) where args[0].type.isIntegral:
                let t = args[0].type
                return Typed(type: t, value: .int { t.normalise(abs(v($0))) }, place: nil)
            case .real(let v): return Typed(type: args[0].type, value: .real { abs(v($0)) }, place: nil)
            default:
                c.error(at, "ABS needs a number, not '\(args[0].type)'")
                return .invalid
            }
        case "SQRT", "LN", "LOG", "EXP", "SIN", "COS", "TAN", "ASIN", "ACOS", "ATAN":
            guard arity(1...1) else { return .invalid }
            guard args[0].type.isNumeric else {
                c.error(at, "\(upper) needs a number, not '\(args[0].type)'")
                return .invalid
            }
            let type: STType = args[0].type == .real ? .real : .lreal
            let v = real(0)
            let f: (Double) -> Double
            switch upper {
            case "SQRT": f = { $0.squareRoot() }
            case "LN": f = { Glibc.log($0) }
            case "LOG": f = { Glibc.log10($0) }
            case "EXP": f = { Glibc.exp($0) }
            case "SIN": f = { Glibc.sin($0) }
            case "COS": f = { Glibc.cos($0) }
            case "TAN": f = { Glibc.tan($0) }
            case "ASIN": f = { Glibc.asin($0) }
            case "ACOS": f = { Glibc.acos($0) }
            default: f = { Glibc.atan($0) }
            }
            let single = type == .real
            return Typed(type: type, value: .real { single ? Double(Float(f(v($0)))) : f(v($0)) }, place: nil)
        case "EXPT":
            guard arity(2...2) else { return .invalid }
            guard args[0].type.isNumeric, args[1].type.isNumeric else {
                c.error(at, "EXPT needs numbers")
                return .invalid
            }
            let type: STType = args[0].type == .real ? .real : .lreal
            let a = real(0), b = real(1)
            return Typed(type: type, value: .real { power(a($0), b($0)) }, place: nil)
        case "TRUNC", "TRUNC_INT":
            guard arity(1...1) else { return .invalid }
            let v = real(0)
            let type: STType = upper == "TRUNC" ? .dint : .int
            return Typed(type: type, value: .int { env in
                let x = v(env)
                return x.isFinite && abs(x) < 9e18 ? type.normalise(Int64(x)) : 0
            }, place: nil)
        case "MIN", "MAX", "LIMIT":
            guard arity(upper == "LIMIT" ? 3...3 : 2...32) else { return .invalid }
            return minMax(upper, args, argExprs, at, c)
        case "SEL":
            guard arity(3...3) else { return .invalid }
            let g = int(0, .bool)
            return select(args: Array(args.dropFirst()), exprs: Array(argExprs.dropFirst()), at, c) { env in g(env) != 0 ? 1 : 0 }
        case "MUX":
            guard arity(2...32) else { return .invalid }
            guard args[0].type.isIntegral, case .int(let k) = args[0].value else {
                c.error(argExprs[0].location, "MUX needs an integer selector")
                return .invalid
            }
            let n = Int64(args.count - 2)
            return select(args: Array(args.dropFirst()), exprs: Array(argExprs.dropFirst()), at, c) { env in
                let i = k(env)
                return i < 0 ? 0 : i > n ? n : i
            }
        case "SHL", "SHR", "ROL", "ROR":
            guard arity(2...2) else { return .invalid }
            let t = args[0].type
            guard t.isIntegral, let (bits, _) = t.integerFormat, case .int(let v) = args[0].value else {
                c.error(argExprs[0].location, "\(upper) needs a bit string or integer, not '\(t)'")
                return .invalid
            }
            let n = int(1, .lint)
            let b = Int64(bits)
            let mask: UInt64 = bits == 64 ? ~0 : (1 << UInt64(bits)) - 1
            let code: Code.Int
            switch upper {
            case "SHL": code = { env in let k = n(env); return k >= b || k < 0 ? 0 : t.normalise(v(env) << k) }
            case "SHR":
                code = { env in
                    let k = n(env)
                    return k >= b || k < 0 ? 0 : t.normalise(Int64(bitPattern: (UInt64(bitPattern: v(env)) & mask) >> UInt64(k)))
                }
            case "ROL":
                code = { env in
                    let k = UInt64(((n(env) % b) + b) % b), x = UInt64(bitPattern: v(env)) & mask
                    return t.normalise(Int64(bitPattern: k == 0 ? x : ((x << k) | (x >> (UInt64(b) - k))) & mask))
                }
            default:
                code = { env in
                    let k = UInt64(((n(env) % b) + b) % b), x = UInt64(bitPattern: v(env)) & mask
                    return t.normalise(Int64(bitPattern: k == 0 ? x : ((x >> k) | (x << (UInt64(b) - k))) & mask))
                }
            }
            return Typed(type: t, value: .int(code), place: nil)
        case "LEN":
            guard arity(1...1) else { return .invalid }
            let s = str(0)
            return Typed(type: .int, value: .int { Int64(s($0).count) }, place: nil)
        case "LEFT", "RIGHT":
            guard arity(2...2) else { return .invalid }
            let s = str(0), n = int(1, .int)
            let left = upper == "LEFT"
            return Typed(type: s255, value: .str { env in
                let text = s(env), k = max(0, Int(n(env)))
                return left ? String(text.prefix(k)) : String(text.suffix(k))
            }, place: nil)
        case "MID":
            guard arity(3...3) else { return .invalid }
            let s = str(0), n = int(1, .int), pos = int(2, .int)
            return Typed(type: s255, value: .str { env in
                let text = Array(s(env)), k = Int(n(env)), p = Int(pos(env))
                guard p >= 1, p <= text.count, k > 0 else { return "" }
                return String(text[(p - 1)..<min(text.count, p - 1 + k)])
            }, place: nil)
        case "FIND":
            guard arity(2...2) else { return .invalid }
            let s1 = str(0), s2 = str(1)
            return Typed(type: .int, value: .int { env in
                let a = s1(env), b = s2(env)
                guard !b.isEmpty, let r = a.firstRange(of: b) else { return 0 }
                return Int64(a.distance(from: a.startIndex, to: r.lowerBound) + 1)
            }, place: nil)
        case "INSERT":
            guard arity(3...3) else { return .invalid }
            let s1 = str(0), s2 = str(1), pos = int(2, .int)
            return Typed(type: s255, value: .str { env in
                let a = Array(s1(env)), p = Int(pos(env))
                guard p >= 0, p <= a.count else { return String(a) }
                return truncated(String(a[..<p]) + s2(env) + String(a[p...]))
            }, place: nil)
        case "DELETE":
            guard arity(3...3) else { return .invalid }
            let s = str(0), n = int(1, .int), pos = int(2, .int)
            return Typed(type: s255, value: .str { env in
                let a = Array(s(env)), k = Int(n(env)), p = Int(pos(env))
                guard p >= 1, p <= a.count, k > 0 else { return String(a) }
                return String(a[..<(p - 1)]) + String(a[min(a.count, p - 1 + k)...])
            }, place: nil)
        case "REPLACE":
            guard arity(4...4) else { return .invalid }
            let s1 = str(0), s2 = str(1), n = int(2, .int), pos = int(3, .int)
            return Typed(type: s255, value: .str { env in
                let a = Array(s1(env)), k = Int(n(env)), p = Int(pos(env))
                guard p >= 1, p <= a.count + 1, k >= 0 else { return String(a) }
                return truncated(String(a[..<(p - 1)]) + s2(env) + String(a[min(a.count, p - 1 + k)...]))
            }, place: nil)
        case "CONCAT":
            guard arity(2...2) else { return .invalid }
            let a = str(0), b = str(1)
            return Typed(type: s255, value: .str { truncated(a($0) + b($0)) }, place: nil)
        default:
            c.error(at, "unknown function '\(name)'")
            return .invalid
        }
    }

    /// The common type of MIN/MAX/LIMIT/SEL/MUX operands.
    private static func common(_ args: [Typed], _ exprs: [AST.Expr], _ at: SourceLocation, _ c: Checker) -> STType? {
        var type = args[0].type
        for a in args.dropFirst() {
            if a.type == type { continue }
            if a.type.isNumeric && type.isNumeric {
                if a.type.isReal || type.isReal { type = a.type == .lreal || type == .lreal ? .lreal : (a.type.isReal ? a.type : type) }
                else if !a.literal && (a.type.rank > type.rank || args[0].literal) { type = a.type }
                continue
            }
            if a.type.isString && type.isString { type = .string(maxString); continue }
            c.error(at, "operands of types '\(type)' and '\(a.type)' cannot be mixed")
            return nil
        }
        return type
    }

    private static func minMax(_ name: String, _ args: [Typed], _ exprs: [AST.Expr], _ at: SourceLocation,
                               _ c: Checker) -> Typed {
        guard let type = common(args, exprs, at, c) else { return .invalid }
        let values = zip(args, exprs).map { c.coerce($0, to: type, at: $1.location) }
        if type.isReal {
            let fs = values.compactMap { v -> RealStep? in if case .real(let f) = v { RealStep(run: f) } else { nil } }
            guard fs.count == values.count else { return .invalid }
            if name == "LIMIT" {
                let (mn, x, mx) = (fs[0].run, fs[1].run, fs[2].run)
                return Typed(type: type, value: .real { Swift.min(Swift.max(x($0), mn($0)), mx($0)) }, place: nil)
            }
            let isMin = name == "MIN"
            return Typed(type: type, value: .real { env in
                var r = fs[0].run(env)
                for f in fs.dropFirst() { let v = f.run(env); r = isMin ? Swift.min(r, v) : Swift.max(r, v) }
                return r
            }, place: nil)
        }
        guard type.isIntDomain else {
            c.error(at, "\(name) needs numbers or times, not '\(type)'")
            return .invalid
        }
        let fs = values.compactMap { v -> IntStep? in if case .int(let f) = v { IntStep(run: f) } else { nil } }
        guard fs.count == values.count else { return .invalid }
        if name == "LIMIT" {
            let (mn, x, mx) = (fs[0].run, fs[1].run, fs[2].run)
            return Typed(type: type, value: .int { Swift.min(Swift.max(x($0), mn($0)), mx($0)) }, place: nil)
        }
        let isMin = name == "MIN"
        if fs.count == 2 {
            let a = fs[0].run, b = fs[1].run
            return Typed(type: type, value: .int { isMin ? Swift.min(a($0), b($0)) : Swift.max(a($0), b($0)) }, place: nil)
        }
        return Typed(type: type, value: .int { env in
            var r = fs[0].run(env)
            for f in fs.dropFirst() { let v = f.run(env); r = isMin ? Swift.min(r, v) : Swift.max(r, v) }
            return r
        }, place: nil)
    }

    private static func select(args: [Typed], exprs: [AST.Expr], _ at: SourceLocation, _ c: Checker,
                               _ which: @escaping (Env) -> Int64) -> Typed {
        guard let type = common(args, exprs, at, c) else { return .invalid }
        let values = zip(args, exprs).map { c.coerce($0, to: type, at: $1.location) }
        switch values.first {
        case .int?:
            let fs = values.compactMap { v -> IntStep? in if case .int(let f) = v { IntStep(run: f) } else { nil } }
            return Typed(type: type, value: .int { fs[Int(which($0))].run($0) }, place: nil)
        case .real?:
            let fs = values.compactMap { v -> RealStep? in if case .real(let f) = v { RealStep(run: f) } else { nil } }
            return Typed(type: type, value: .real { fs[Int(which($0))].run($0) }, place: nil)
        case .str?:
            let fs = values.compactMap { v -> StrStep? in if case .str(let f) = v { StrStep(run: f) } else { nil } }
            return Typed(type: type, value: .str { fs[Int(which($0))].run($0) }, place: nil)
        default:
            return .invalid
        }
    }
}
