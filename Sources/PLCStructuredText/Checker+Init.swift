extension Checker {
    /// Code that sets every variable of `p`'s frame to its declared initial value.
    func initialiser(_ p: POUInfo) -> Code.Stmt {
        let saved = pou
        pou = p
        defer { pou = saved }
        var code: [Step] = []
        for v in p.vars {
            if case .reference = v.type { continue }
            code += initialise(.frame(v.offset, v.type), v.ast?.initial)
        }
        return Emit.sequence(code)
    }

    /// Code that sets the global variables to their initial values (run once per machine).
    func globalInitialiser() -> Code.Stmt {
        var code: [Step] = []
        for name in index.gvls.keys.sorted() {
            for v in index.gvls[name]!.vars {
                code += initialise(.global(v.offset, v.type), v.ast?.initial)
            }
        }
        return Emit.sequence(code)
    }

    /// Initialisation of one place of any type, from an optional initialiser expression.
    func initialise(_ place: Place, _ initial: AST.Expr?) -> [Step] {
        let type = place.type
        switch type {
        case .array(let element, let lo, let hi):
            let count = hi - lo + 1
            var values: [AST.Expr?] = Array(repeating: nil, count: count)
            if let initial {
                guard case .arrayLiteral(let items) = initial.kind else {
                    error(initial.location, "an array needs an initialiser such as [1, 2, 3(0)]")
                    return []
                }
                var k = 0
                for item in items {
                    var n: Int64 = 1
                    if let countExpr = item.count {
                        guard let c = constant(countExpr), c >= 0 else {
                            error(countExpr.location, "repeat count must be a constant")
                            continue
                        }
                        n = c
                    }
                    for _ in 0..<n {
                        guard k < count else {
                            error(initial.location, "too many initial values for \(type)")
                            return []
                        }
                        values[k] = item.value
                        k += 1
                    }
                }
            }
            return values.enumerated().flatMap { i, v in
                initialise(place.member(i * element.size, element), v)
            }
        case .structure(let s):
            var overrides: [String: AST.Expr] = [:]
            if let initial {
                guard case .structLiteral(let fields) = initial.kind else {
                    error(initial.location, "a structure needs an initialiser such as (a := 1)")
                    return []
                }
                for f in fields {
                    if s.field(f.name) == nil { error(initial.location, "'\(s.name)' has no field '\(f.name)'") }
                    overrides[f.name.uppercased()] = f.value
                }
            }
            return s.fields.flatMap { f in
                initialise(place.member(f.offset, f.type), overrides[f.name.uppercased()] ?? f.ast?.initial)
            }
        case .instance(let q):
            let addr = place.addr
            compile(q)
            let inner = q.initialise
            var code: [Step] = [Step { env in
                let saved = env.f
                env.f = addr(env)
                inner(env)
                env.f = saved
            }]
            if let initial {
                guard case .structLiteral(let fields) = initial.kind else {
                    error(initial.location, "an instance needs an initialiser such as (PT := T#1S)")
                    return code
                }
                for f in fields {
                    guard let v = q.variable(f.name), v.section == .input || v.section == .output || v.section == .local else {
                        error(initial.location, "'\(q.name)' has no variable '\(f.name)'")
                        continue
                    }
                    code += initialise(place.member(v.offset, v.type), f.value)
                }
            }
            return code
        default:
            guard let initial else {
                if type.isString { return [Step(run: Emit.store(place, .str { _ in "" }))] }
                return [Step(run: Emit.store(place, .int { _ in 0 }))]
            }
            if case .arrayLiteral = initial.kind {
                error(initial.location, "'\(type)' is not an array")
                return []
            }
            return [Step(run: assign(place, expr(initial), at: initial.location))]
        }
    }
}
