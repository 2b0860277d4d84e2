extension Checker {
    /// The type two integer operands combine to: a literal takes the other side's type, else the wider.
    private func integerResult(_ l: Typed, _ r: Typed) -> STType {
        if l.literal && !r.literal { return r.type }
        if r.literal && !l.literal { return l.type }
        if case .enumeration = l.type { return r.type.rank > 3 ? r.type : .dint }
        return r.type.rank > l.type.rank ? r.type : l.type
    }

    private func realResult(_ l: Typed, _ r: Typed) -> STType {
        let lreal = (l.type == .lreal && !l.literal) || (r.type == .lreal && !r.literal)
            || (l.type != .real && r.type != .real)
        return lreal ? .lreal : .real
    }

    private func ints(_ l: Typed, _ r: Typed) -> (Code.Int, Code.Int)? {
        if case .int(let a) = l.value, case .int(let b) = r.value { return (a, b) }
        return nil
    }

    private func reals(_ l: Typed, _ r: Typed, _ type: STType) -> (Code.Real, Code.Real)? {
        if case .real(let a) = Emit.convert(l, to: type), case .real(let b) = Emit.convert(r, to: type) { return (a, b) }
        return nil
    }

    func binaryExpr(_ op: String, _ l: Typed, _ r: Typed, _ at: SourceLocation) -> Typed {
        if l.isInvalid || r.isInvalid { return .invalid }
        func mismatch() -> Typed {
            error(at, "operator '\(op)' cannot combine '\(l.type)' and '\(r.type)'")
            return .invalid
        }
        switch op {
        case "AND", "OR", "XOR", "AND_THEN", "OR_ELSE":
            guard let (a, b) = ints(l, r) else { return mismatch() }
            let isBool = l.type == .bool && r.type == .bool
            guard isBool || (l.type.isIntegral && r.type.isIntegral) else { return mismatch() }
            let type = isBool ? STType.bool : integerResult(l, r)
            var code: Code.Int
            switch op {
            case "AND": code = { a($0) & b($0) }
            case "AND_THEN": code = { a($0) != 0 ? b($0) : 0 }
            case "OR": code = { a($0) | b($0) }
            case "OR_ELSE": code = { a($0) != 0 ? 1 : b($0) }
            default: code = { a($0) ^ b($0) }
            }
            if op == "AND" || op == "OR", let o = l.slot {
                let and = op == "AND"
                if let p = r.slot {
                    code = and ? { $0.f[o] & $0.f[p] } : { $0.f[o] | $0.f[p] }
                } else {
                    code = and ? { env in env.f[o] & b(env) } : { env in env.f[o] | b(env) }
                }
            }
            var constant: Int64? = nil
            if let x = l.constant, let y = r.constant {
                constant = op.hasPrefix("AND") ? x & y : op.hasPrefix("OR") ? x | y : x ^ y
            }
            return Typed(type: type, value: .int(code), place: nil, literal: l.literal && r.literal, constant: constant)
        case "=", "<>", "<", ">", "<=", ">=":
            return comparison(op, l, r, at) ?? mismatch()
        case "+", "-", "*", "/", "MOD":
            return arithmetic(op, l, r, at) ?? mismatch()
        case "**":
            guard l.type.isNumeric && r.type.isNumeric, let (a, b) = reals(l, r, .lreal) else { return mismatch() }
            return Typed(type: .lreal, value: .real { Builtins.power(a($0), b($0)) }, place: nil)
        default:
            return mismatch()
        }
    }

    /// A comparison that reads frame slots and constants directly (no closure call per operand).
    private func fusedCompare(_ op: String, _ l: Typed, _ r: Typed) -> IntStep? {
        if let o = l.slot, let k = r.constant {
            switch op {
            case "=": return IntStep { $0.f[o] == k ? 1 : 0 }
            case "<>": return IntStep { $0.f[o] != k ? 1 : 0 }
            case "<": return IntStep { $0.f[o] < k ? 1 : 0 }
            case ">": return IntStep { $0.f[o] > k ? 1 : 0 }
            case "<=": return IntStep { $0.f[o] <= k ? 1 : 0 }
            default: return IntStep { $0.f[o] >= k ? 1 : 0 }
            }
        }
        if let o = l.slot, let p = r.slot {
            switch op {
            case "=": return IntStep { $0.f[o] == $0.f[p] ? 1 : 0 }
            case "<>": return IntStep { $0.f[o] != $0.f[p] ? 1 : 0 }
            case "<": return IntStep { $0.f[o] < $0.f[p] ? 1 : 0 }
            case ">": return IntStep { $0.f[o] > $0.f[p] ? 1 : 0 }
            case "<=": return IntStep { $0.f[o] <= $0.f[p] ? 1 : 0 }
            default: return IntStep { $0.f[o] >= $0.f[p] ? 1 : 0 }
            }
        }
        if case .int(let a) = l.value, let k = r.constant {
            switch op {
            case "=": return IntStep { a($0) == k ? 1 : 0 }
            case "<>": return IntStep { a($0) != k ? 1 : 0 }
            case "<": return IntStep { a($0) < k ? 1 : 0 }
            case ">": return IntStep { a($0) > k ? 1 : 0 }
            case "<=": return IntStep { a($0) <= k ? 1 : 0 }
            default: return IntStep { a($0) >= k ? 1 : 0 }
            }
        }
        return nil
    }

    /// A comparison of two operands of one Swift type (integers, reals or strings).
    private func compare<T: Comparable>(_ op: String, _ a: @escaping (Env) -> T,
                                            _ b: @escaping (Env) -> T) -> Code.Int {
        switch op {
        case "=": { a($0) == b($0) ? 1 : 0 }
        case "<>": { a($0) != b($0) ? 1 : 0 }
        case "<": { a($0) < b($0) ? 1 : 0 }
        case ">": { a($0) > b($0) ? 1 : 0 }
        case "<=": { a($0) <= b($0) ? 1 : 0 }
        default: { a($0) >= b($0) ? 1 : 0 }
        }
    }

    private func comparison(_ op: String, _ l: Typed, _ r: Typed, _ at: SourceLocation) -> Typed? {
        let lt = l.type, rt = r.type
        if lt.isString && rt.isString, case .str(let a) = l.value, case .str(let b) = r.value {
            return Typed(type: .bool, value: .int(compare(op, a, b)), place: nil)
        }
        if lt.isNumeric && rt.isNumeric && (lt.isReal || rt.isReal) {
            guard let (a, b) = reals(l, r, .lreal) else { return nil }
            return Typed(type: .bool, value: .int(compare(op, a, b)), place: nil)
        }
        let compatible = (lt.isIntegral && rt.isIntegral) || (lt == rt && lt.isIntDomain)
            || (lt.isPointerLike && rt.isPointerLike) || (lt.isPointerLike && r.literal) || (rt.isPointerLike && l.literal)
        guard compatible, let (a, b) = ints(l, r) else { return nil }
        if case .enumeration(let x) = lt, case .enumeration(let y) = rt, x !== y { return nil }
        var constant: Int64? = nil
        if let x = l.constant, let y = r.constant {
            switch op {
            case "=": constant = x == y ? 1 : 0
            case "<>": constant = x != y ? 1 : 0
            case "<": constant = x < y ? 1 : 0
            case ">": constant = x > y ? 1 : 0
            case "<=": constant = x <= y ? 1 : 0
            default: constant = x >= y ? 1 : 0
            }
        }
        let code: Code.Int
        if let fused = fusedCompare(op, l, r) { code = fused.run } else { code = compare(op, a, b) }
        return Typed(type: .bool, value: .int(code), place: nil, constant: constant)
    }

    private func arithmetic(_ op: String, _ l: Typed, _ r: Typed, _ at: SourceLocation) -> Typed? {
        let lt = l.type, rt = r.type
        // Durations and dates.
        if lt.isTime || rt.isTime || lt.isDateTime || rt.isDateTime {
            guard let (a, b) = ints(l, r) else { return nil }
            var type: STType? = nil
            if (op == "+" || op == "-") && lt.isTime && rt == lt { type = lt }
            if op == "-" && lt.isDateTime && rt == lt { type = lt == .tod ? .time : .time }
            if (op == "+" || op == "-") && lt == .dt && rt == .time { type = .dt }
            if (op == "+" || op == "-") && lt == .tod && rt == .time { type = .tod }
            if (op == "*" || op == "/") && lt.isTime && rt.isInteger { type = lt }
            if op == "*" && rt.isTime && lt.isInteger { type = rt }
            guard let type else { return nil }
            let code: Code.Int
            let scale: Int64 = lt.isDateTime && op == "-" && rt == lt && lt != .tod ? 1000 : 1
            let dtScale: Int64 = lt == .dt && rt == .time ? 1000 : 1
            switch op {
            case "+": code = dtScale == 1 ? { type.normalise(a($0) + b($0)) } : { type.normalise(a($0) + b($0) / dtScale) }
            case "-":
                code = dtScale == 1 ? { type.normalise((a($0) - b($0)) * scale) } : { type.normalise(a($0) - b($0) / dtScale) }
            case "*": code = { type.normalise(a($0) * b($0)) }
            default:
                code = { env in
                    let d = b(env)
                    guard d != 0 else { env.raise("division by zero"); return 0 }
                    return type.normalise(a(env) / d)
                }
            }
            return Typed(type: type, value: .int(code), place: nil)
        }
        guard lt.isNumeric && rt.isNumeric else { return nil }
        if case .enumeration = lt { return nil }
        if case .enumeration = rt { return nil }
        if lt.isReal || rt.isReal {
            guard op != "MOD" else { return nil }
            let type = realResult(l, r)
            guard let (a, b) = reals(l, r, type) else { return nil }
            let single = type == .real
            let code: Code.Real
            switch op {
            case "+": code = single ? { Double(Float(a($0) + b($0))) } : { a($0) + b($0) }
            case "-": code = single ? { Double(Float(a($0) - b($0))) } : { a($0) - b($0) }
            case "*": code = single ? { Double(Float(a($0) * b($0))) } : { a($0) * b($0) }
            default: code = single ? { Double(Float(a($0) / b($0))) } : { a($0) / b($0) }
            }
            return Typed(type: type, value: .real(code), place: nil, literal: l.literal && r.literal)
        }
        guard let (a, b) = ints(l, r) else { return nil }
        let type = integerResult(l, r)
        let wraps = type.rank >= 4 || (type.rank == 3 && !(l.literal && r.literal))
        let code: Code.Int
        switch op {
        case "+": code = wraps ? { type.normalise(a($0) &+ b($0)) } : { a($0) &+ b($0) }
        case "-": code = wraps ? { type.normalise(a($0) &- b($0)) } : { a($0) &- b($0) }
        case "*": code = wraps ? { type.normalise(a($0) &* b($0)) } : { a($0) &* b($0) }
        case "/":
            code = { env in
                let d = b(env)
                guard d != 0 else { env.raise("division by zero"); return 0 }
                return type.normalise(a(env) / d)
            }
        default:
            code = { env in
                let d = b(env)
                guard d != 0 else { return 0 }
                return a(env) % d
            }
        }
        var constant: Int64? = nil
        if let x = l.constant, let y = r.constant {
            switch op {
            case "+": constant = x &+ y
            case "-": constant = x &- y
            case "*": constant = x &* y
            case "/": constant = y != 0 ? x / y : nil
            default: constant = y != 0 ? x % y : nil
            }
        }
        return Typed(type: type, value: .int(code), place: nil, literal: l.literal && r.literal, constant: constant)
    }
}
