/// Builds the closures for loads, stores and conversions; the checker decides what is allowed.
///
/// Closures are chained into closures, never kept in arrays at run time: an array of function values
/// is called through reabstraction thunks that retain and release on every call.
enum Emit {
    /// One closure that runs `stmts` in order (a balanced tree of pairs).
    static func sequence(_ stmts: [Step]) -> Code.Stmt {
        switch stmts.count {
        case 0: return { _ in }
        case 1: return stmts[0].run
        case 2:
            let a = stmts[0].run, b = stmts[1].run
            return { a($0); b($0) }
        default:
            let a = sequence(Array(stmts[..<(stmts.count / 2)])), b = sequence(Array(stmts[(stmts.count / 2)...]))
            return { a($0); b($0) }
        }
    }

    static func realFromBits(_ bits: Int64, _ type: STType) -> Double {
        type == .real ? Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            : Double(bitPattern: UInt64(bitPattern: bits))
    }

    static func bitsFromReal(_ v: Double, _ type: STType) -> Int64 {
        type == .real ? Int64(Float(v).bitPattern) : Int64(bitPattern: v.bitPattern)
    }

    /// The value stored at `place`, in its type's domain.
    static func load(_ place: Place) -> Typed.Value {
        let type = place.type
        if type.isIntDomain {
            if let o = place.frameOffset { return .int { $0.f[o] } }
            if let o = place.globalOffset { return .int { $0.g[o] } }
            let a = place.addr
            return .int { a($0).pointee }
        }
        if type == .real {
            if let o = place.frameOffset { return .real { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0.f[o]))) } }
            let a = place.addr
            return .real { Double(Float(bitPattern: UInt32(truncatingIfNeeded: a($0).pointee))) }
        }
        if type == .lreal {
            if let o = place.frameOffset { return .real { Double(bitPattern: UInt64(bitPattern: $0.f[o])) } }
            let a = place.addr
            return .real { Double(bitPattern: UInt64(bitPattern: a($0).pointee)) }
        }
        if type.isString {
            let a = place.addr
            return .str { env in env.strings.items[Int(a(env).pointee)] }
        }
        return .none
    }

    /// Stores `value` (already in the place's domain) at `place`, normalised to its type.
    static func store(_ place: Place, _ value: Typed.Value) -> Code.Stmt {
        let type = place.type
        switch value {
        case .int(let v):
            if type == .bool {
                if let o = place.frameOffset { return { $0.f[o] = v($0) != 0 ? 1 : 0 } }
                let a = place.addr
                return { a($0).pointee = v($0) != 0 ? 1 : 0 }
            }
            if let (bits, signed) = type.integerFormat, bits < 64 {
                let shift = Int64(64 - bits), mask: Int64 = (1 << Int64(bits)) - 1
                if let o = place.frameOffset {
                    return signed ? { $0.f[o] = (v($0) << shift) >> shift } : { $0.f[o] = v($0) & mask }
                }
                let a = place.addr
                return signed ? { a($0).pointee = (v($0) << shift) >> shift } : { a($0).pointee = v($0) & mask }
            }
            if let o = place.frameOffset { return { $0.f[o] = v($0) } }
            let a = place.addr
            return { a($0).pointee = v($0) }
        case .real(let v):
            let a = place.addr
            if type == .real {
                if let o = place.frameOffset { return { $0.f[o] = Int64(Float(v($0)).bitPattern) } }
                return { a($0).pointee = Int64(Float(v($0)).bitPattern) }
            }
            if let o = place.frameOffset { return { $0.f[o] = Int64(bitPattern: v($0).bitPattern) } }
            return { a($0).pointee = Int64(bitPattern: v($0).bitPattern) }
        case .str(let v):
            let a = place.addr
            guard case .string(let n) = type else { return { _ in } }
            return { env in
                let s = v(env)
                env.strings.items[Int(a(env).pointee)] = Builtins.limit(s, n)
            }
        case .none:
            return { _ in }
        }
    }

    /// Copies a whole value of `type` slot by slot, string contents included.
    static func copy(from source: Place, to target: Place) -> Code.Stmt {
        let size = source.type.size
        let strings = source.type.stringSlots()
        let src = source.addr, dst = target.addr
        if strings.isEmpty {
            return { env in
                let s = src(env), d = dst(env)
                if s != d { d.update(from: s, count: size) }
            }
        }
        let stringSet = Set(strings)
        let plain = (0..<size).filter { !stringSet.contains($0) }
        return { env in
            let s = src(env), d = dst(env)
            guard s != d else { return }
            for i in plain { d[i] = s[i] }
            for i in strings { env.strings.items[Int(d[i])] = env.strings.items[Int(s[i])] }
        }
    }

    /// True when every value of `from` is a value of `to` (no normalisation needed), e.g. WORD to DWORD.
    static func widens(_ from: STType, _ to: STType) -> Bool {
        guard let (fb, fs) = from.integerFormat, let (tb, ts) = to.integerFormat, !from.isTime, !to.isTime else { return false }
        if tb == 64 && (ts || !fs) { return true }
        return fs == ts ? fb <= tb : !fs && ts && fb < tb
    }

    /// Rounds half away from zero, as Codesys's REAL to integer conversions do.
    static func roundToInt(_ x: Double) -> Int64 {
        guard x.isFinite else { return 0 }
        let r = x.rounded(.toNearestOrAwayFromZero)
        if r >= 9.2233720368547758e18 { return Int64.max }
        if r <= -9.2233720368547758e18 { return Int64.min }
        return Int64(r)
    }

    /// Converts a value of type `from` to the domain and range of `to` (the caller has checked it is allowed).
    static func convert(_ t: Typed, to: STType) -> Typed.Value {
        let from = t.type
        switch (t.value, to) {
        case (.int(let v), _) where to.isReal:
            if from.isTime {
                let scale = from == .ltime ? 1e-6 : 1.0
                return .real { Double(v($0)) * scale }
            }
            // ULINT and LWORD hold their 64 bits as an Int64: read them unsigned.
            let unsigned = from.integerFormat.map { $0.bits == 64 && !$0.signed } ?? false
            if to == .real {
                return unsigned ? .real { Double(Float(UInt64(bitPattern: v($0)))) } : .real { Double(Float(Double(v($0)))) }
            }
            return unsigned ? .real { Double(UInt64(bitPattern: v($0))) } : .real { Double(v($0)) }
        case (.real(let v), _) where to.isReal:
            if to == .real && from != .real { return .real { Double(Float(v($0))) } }
            return .real(v)
        case (.real(let v), _) where to.isIntDomain:
            if to == .time { return .int { roundToInt(v($0)) & 0xFFFF_FFFF } }
            if to == .bool { return .int { v($0) != 0 ? 1 : 0 } }
            return .int { to.normalise(roundToInt(v($0))) }
        case (.int(let v), _) where to.isIntDomain:
            if from == .time && to == .ltime { return .int { v($0) * 1_000_000 } }
            if from == .ltime && to == .time { return .int { (v($0) / 1_000_000) & 0xFFFF_FFFF } }
            if to == .bool { return from == .bool ? .int(v) : .int { v($0) != 0 ? 1 : 0 } }
            if from == to || widens(from, to) { return .int(v) }
            return .int { to.normalise(v($0)) }
        case (_, .string):
            return .str(Format.toString(t))
        default:
            return t.value
        }
    }
}
