extension Checker {
    /// A place whose address is the value of `pointer` (a POINTER or a VAR_IN_OUT reference).
    func derefPlace(_ pointer: @escaping Code.Int, _ type: STType, writable: Bool = true) -> Place {
        Place(type: type, addr: { env in
            if let p = Pointer.slot(pointer(env)) { return p }
            env.raise("dereference of a null pointer")
            env.trash.update(repeating: 0, count: 64)
            return env.trash
        }, frameOffset: nil, globalOffset: nil, writable: writable)
    }

    /// The typed value of a variable place (references are followed).
    func variable(_ place: Place) -> Typed {
        if case .reference(let inner) = place.type {
            let p = derefPlace(loadInt(place), inner, writable: place.writable)
            return Typed(type: inner, value: Emit.load(p), place: p)
        }
        var t = Typed(type: place.type, value: Emit.load(place), place: place)
        if place.type.isIntDomain { t.slot = place.frameOffset }
        return t
    }

    func loadInt(_ place: Place) -> Code.Int {
        if case .int(let v) = Emit.load(place) { return v }
        return { _ in 0 }
    }

    /// `A.B.C` as text when `e` is a chain of plain names.
    func dotted(_ e: AST.Expr) -> String? {
        switch e.kind {
        case .name(let n): return n
        case .member(let base, let n): return dotted(base).map { $0 + "." + n }
        default: return nil
        }
    }

    func intConstant(_ v: Int64, _ type: STType, literal: Bool = false) -> Typed {
        Typed(type: type, value: .int { _ in v }, place: nil, literal: literal, constant: v)
    }

    /// Checks an expression and emits its code.
    func expr(_ e: AST.Expr) -> Typed {
        switch e.kind {
        case .integer(let v, let typeName):
            guard let typeName else {
                return intConstant(v, v >= Int64(Int32.min) && v <= Int64(Int32.max) ? .dint : .lint, literal: true)
            }
            guard let type = STType.elementary[typeName], type.isNumeric || type == .bool else {
                error(e.location, "'\(typeName)#' is not a numeric type")
                return .invalid
            }
            if type.isReal { return Typed(type: type, value: .real { _ in Double(v) }, place: nil) }
            if type.normalise(v) != v { error(e.location, "constant \(v) does not fit type '\(type)'") }
            return intConstant(type.normalise(v), type)
        case .real(let v, let typeName):
            var type = STType.lreal
            if let typeName {
                guard let t = STType.elementary[typeName], t.isReal else {
                    error(e.location, "'\(typeName)#' cannot hold a real literal")
                    return .invalid
                }
                type = t
            }
            let x = type == .real ? Double(Float(v)) : v
            return Typed(type: type, value: .real { _ in x }, place: nil, literal: typeName == nil)
        case .bool(let b): return intConstant(b ? 1 : 0, .bool)
        case .string(let s): return Typed(type: .string(max(s.count, 1)), value: .str { _ in s }, place: nil, literal: true)
        case .duration(let ns, let long):
            return long ? intConstant(ns, .ltime) : intConstant((ns / 1_000_000) & 0xFFFF_FFFF, .time)
        case .dateTime(let v, let t): return intConstant(v, STType.elementary[t] ?? .dt)
        case .name(let name): return nameExpr(name, e.location)
        case .member(let base, let name): return memberExpr(base, name, e)
        case .index(let base, let indexes): return indexExpr(base, indexes, e.location)
        case .deref(let base):
            let t = expr(base)
            if t.isInvalid { return .invalid }
            guard case .pointer(let inner) = t.type, case .int(let v) = t.value else {
                error(e.location, "'^' needs a POINTER, not '\(t.type)'")
                return .invalid
            }
            return variable(derefPlace(v, inner))
        case .unary(let op, let operand): return unaryExpr(op, expr(operand), e.location)
        case .binary(let op, let l, let r): return binaryExpr(op, expr(l), expr(r), e.location)
        case .call(let callee, let args): return callExpr(callee, args, e.location)
        case .arrayLiteral, .structLiteral:
            error(e.location, "an initialiser is only allowed in a declaration")
            return .invalid
        }
    }

    private func nameExpr(_ name: String, _ at: SourceLocation) -> Typed {
        if let p = pou, let v = p.variable(name) {
            return variable(.frame(v.offset, v.type, writable: !v.constant))
        }
        if let v = index.globals[name.uppercased()] {
            return variable(.global(v.offset, v.type, writable: !v.constant))
        }
        // An enumeration value without its type name.
        var found: [(EnumInfo, Int64)] = []
        for case .enumeration(let en, _) in index.types.values {
            if let v = en.value(of: name) { found.append((en, v)) }
        }
        if found.count == 1 { return intConstant(found[0].1, .enumeration(found[0].0)) }
        if found.count > 1 {
            error(at, "'\(name)' is ambiguous: qualify it with its enumeration type")
            return .invalid
        }
        if index.pou(name) != nil || Builtins.isBuiltin(name) {
            error(at, "'\(name)' is a POU; call it with ()")
            return .invalid
        }
        error(at, "unknown name '\(name)'")
        return .invalid
    }

    private func memberExpr(_ base: AST.Expr, _ name: String, _ e: AST.Expr) -> Typed {
        if let q = dotted(base) {
            let isVariable = pou?.variable(q) != nil || index.globals[q.uppercased()] != nil
            if !isVariable {
                if let gvl = index.gvls[index.lookupKey(q)] ?? index.gvls[q.uppercased()] {
                    guard let v = gvl.vars.first(where: { $0.name.uppercased() == name.uppercased() }) else {
                        error(e.location, "'\(gvl.name)' has no variable '\(name)'")
                        return .invalid
                    }
                    return variable(.global(v.offset, v.type, writable: !v.constant))
                }
                if case .enumeration(let en, let decl)? = index.type(q) {
                    _ = resolve(.named(q, e.location))
                    _ = decl
                    guard let v = en.value(of: name) else {
                        error(e.location, "'\(en.name)' has no value '\(name)'")
                        return .invalid
                    }
                    return intConstant(v, .enumeration(en))
                }
                if index.namespaces.contains(where: { $0.uppercased() == q.uppercased() }) {
                    error(e.location, "'\(q).\(name)' is not a value")
                    return .invalid
                }
            }
        }
        let t = expr(base)
        if t.isInvalid { return .invalid }
        switch t.type {
        case .instance(let p):
            guard let v = p.variable(name) else {
                error(e.location, "'\(p.name)' has no variable '\(name)'")
                return .invalid
            }
            guard v.section == .input || v.section == .output, p.kind != .function else {
                error(e.location, "'\(name)' is not an input or output of '\(p.name)' and cannot be accessed from outside")
                return .invalid
            }
            guard let place = t.place else { return .invalid }
            return variable(place.member(v.offset, v.type))
        case .structure(let s):
            guard let f = s.field(name), let place = t.place else {
                error(e.location, "'\(s.name)' has no field '\(name)'")
                return .invalid
            }
            return variable(place.member(f.offset, f.type))
        default:
            if t.type.isIntegral, let bit = Int(name), case .int(let v) = t.value,
               bit >= 0, bit < (t.type.integerFormat?.bits ?? 0) {
                return Typed(type: .bool, value: .int { (v($0) >> Int64(bit)) & 1 }, place: nil)
            }
            error(e.location, "'\(t.type)' has no member '\(name)'")
            return .invalid
        }
    }

    private func indexExpr(_ base: AST.Expr, _ indexes: [AST.Expr], _ at: SourceLocation) -> Typed {
        var t = expr(base)
        if t.isInvalid { return .invalid }
        for ie in indexes {
            guard case .array(let element, let lo, let hi) = t.type, let place = t.place else {
                error(at, "'\(t.type)' is not an array")
                return .invalid
            }
            let i = expr(ie)
            if i.isInvalid { return .invalid }
            guard i.type.isIntegral, case .int(let iv) = i.value else {
                error(ie.location, "array index must be an integer, not '\(i.type)'")
                return .invalid
            }
            let stride = element.size
            if let k = i.constant {
                guard k >= lo && k <= hi else {
                    error(ie.location, "index \(k) is outside the array bounds \(lo)..\(hi)")
                    return .invalid
                }
                t = variable(place.member((Int(k) - lo) * stride, element))
                continue
            }
            let baseAddr = place.addr
            let low = Int64(lo), high = Int64(hi)
            let p = Place(type: element, addr: { env in
                let k = iv(env)
                guard k >= low && k <= high else {
                    env.raise("index \(k) outside \(low)..\(high)")
                    env.trash.update(repeating: 0, count: 64)
                    return env.trash
                }
                return baseAddr(env) + Int(k - low) * stride
            }, frameOffset: nil, globalOffset: nil, writable: place.writable)
            t = variable(p)
        }
        return t
    }

    private func unaryExpr(_ op: String, _ t: Typed, _ at: SourceLocation) -> Typed {
        if t.isInvalid { return .invalid }
        if op == "NOT" {
            guard case .int(let v) = t.value, t.type == .bool || t.type.isIntegral else {
                error(at, "NOT needs BOOL or a bit string, not '\(t.type)'")
                return .invalid
            }
            if t.type == .bool, let o = t.slot {
                return Typed(type: .bool, value: .int { $0.f[o] == 0 ? 1 : 0 }, place: nil)
            }
            if t.type == .bool {
                return Typed(type: .bool, value: .int { v($0) == 0 ? 1 : 0 }, place: nil, constant: t.constant.map { $0 == 0 ? 1 : 0 })
            }
            let type = t.type
            return Typed(type: type, value: .int { type.normalise(~v($0)) }, place: nil, constant: t.constant.map { type.normalise(~$0) })
        }
        switch t.value {
        case .int(let v) where t.type.isIntegral || t.type.isTime:
            let type = t.type
            let norm = type.rank >= 3 || type.isTime
            return Typed(type: type, value: .int { norm ? type.normalise(-v($0)) : -v($0) }, place: nil,
                         literal: t.literal, constant: t.constant.map { -$0 })
        case .real(let v):
            return Typed(type: t.type, value: .real { -v($0) }, place: nil, literal: t.literal)
        default:
            error(at, "'-' needs a number, not '\(t.type)'")
            return .invalid
        }
    }
}
