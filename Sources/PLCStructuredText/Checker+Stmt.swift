extension Checker {
    /// A statement list as one closure; it stops at the first EXIT, CONTINUE or RETURN.
    func block(_ stmts: [AST.Stmt]) -> Code.Stmt {
        chain(stmts.map { Step(run: stmt($0)) }[...])
    }

    /// Statements as a balanced tree of pairs (depth log n, so long lists cannot exhaust the stack);
    /// the second half runs only when the first did not EXIT, CONTINUE or RETURN.
    private func chain(_ steps: ArraySlice<Step>) -> Code.Stmt {
        switch steps.count {
        case 0: return { _ in }
        case 1: return steps[steps.startIndex].run
        default:
            let middle = steps.startIndex + steps.count / 2
            let a = chain(steps[..<middle]), b = chain(steps[middle...])
            return { env in
                a(env)
                if env.jump == 0 { b(env) }
            }
        }
    }

    func stmt(_ s: AST.Stmt) -> Code.Stmt {
        switch s.kind {
        case .assign(let target, let value):
            let t = expr(target)
            let v = expr(value)
            if t.isInvalid { return { _ in } }
            guard let place = t.place else {
                error(target.location, "the left side of ':=' is not a variable")
                return { _ in }
            }
            guard place.writable else {
                error(target.location, "'\(dotted(target) ?? "this")' is a constant and cannot be written")
                return { _ in }
            }
            return assign(place, v, at: value.location)
        case .call(let call):
            guard case .call(let callee, let args) = call.kind else { return { _ in } }
            if let name = dotted(callee), !(isVariableName(name)) {
                let t = callExpr(callee, args, call.location)
                if case .int(let v) = t.value { return { _ = v($0) } }
                if case .real(let v) = t.value { return { _ = v($0) } }
                if case .str(let v) = t.value { return { _ = v($0) } }
                return { _ in }
            }
            let instance = expr(callee)
            if instance.isInvalid { return { _ in } }
            guard case .instance(let p) = instance.type else {
                error(call.location, "'\(instance.type)' is not a function block instance and cannot be called")
                return { _ in }
            }
            return instanceCall(instance, p, args, call.location)
        case .ifThen(let branches, let otherwise):
            var chain: Step? = otherwise.map { Step(run: block($0)) }
            let tests = branches.map { (conditionTyped($0.condition), Step(run: block($0.body))) }
            for (test, step) in tests.reversed() {
                let c = test.value.intCode, body = step.run
                if let other = chain?.run {
                    if let o = test.slot {
                        chain = Step { env in if env.f[o] != 0 { body(env) } else { other(env) } }
                    } else {
                        chain = Step { env in if c(env) != 0 { body(env) } else { other(env) } }
                    }
                } else if let o = test.slot {
                    chain = Step { env in if env.f[o] != 0 { body(env) } }
                } else {
                    chain = Step { env in if c(env) != 0 { body(env) } }
                }
            }
            if let chain { return chain.run }
            return { _ in }
        case .caseOf(let selector, let branches, let otherwise):
            return caseStmt(selector, branches, otherwise)
        case .forLoop(let variable, let from, let to, let by, let body):
            return forStmt(variable, from, to, by, body, s.location)
        case .whileLoop(let c, let body):
            let cond = condition(c)
            loopDepth += 1
            let code = block(body)
            loopDepth -= 1
            let site = s.location
            return { env in
                while cond(env) != 0 {
                    code(env)
                    if env.jump == 1 { env.jump = 0; break }
                    if env.jump == 2 { env.jump = 0 }
                    if env.jump == 3 || env.overdue(site) { return }
                }
            }
        case .repeatLoop(let body, let c):
            loopDepth += 1
            let code = block(body)
            loopDepth -= 1
            let cond = condition(c)
            let site = s.location
            return { env in
                repeat {
                    code(env)
                    if env.jump == 1 { env.jump = 0; break }
                    if env.jump == 2 { env.jump = 0 }
                    if env.jump == 3 || env.overdue(site) { return }
                } while cond(env) == 0
            }
        case .exit, .continue:
            if loopDepth == 0 { error(s.location, "\(s.kind.isExit ? "EXIT" : "CONTINUE") outside a loop") }
            let code = s.kind.isExit ? 1 : 2
            return { $0.jump = code }
        case .return:
            return { $0.jump = 3 }
        }
    }

    private func isVariableName(_ name: String) -> Bool {
        let first = String(name.split(separator: ".")[0])
        return pou?.variable(first) != nil || (index.globals[first.uppercased()] != nil && !name.contains("."))
            || (name.contains(".") && index.gvls[index.lookupKey(first)] != nil)
    }

    private func caseStmt(_ selector: AST.Expr, _ branches: [AST.CaseBranch], _ otherwise: [AST.Stmt]?) -> Code.Stmt {
        let sel = expr(selector)
        var value: Code.Int = { _ in 0 }
        if !sel.isInvalid {
            if sel.type.isIntegral, case .int(let v) = sel.value { value = v } else {
                error(selector.location, "CASE needs an integer or enumeration selector, not '\(sel.type)'")
            }
        }
        var table: [(ranges: [ClosedRange<Int64>], body: Step)] = []
        var seen: [ClosedRange<Int64>] = []
        for b in branches {
            var ranges: [ClosedRange<Int64>] = []
            for (low, high) in b.labels {
                let lt = expr(low)
                guard let lo = lt.constant else {
                    if !lt.isInvalid { error(low.location, "CASE label must be a constant") }
                    continue
                }
                if sel.type.isIntegral { _ = coerce(lt, to: sel.type, at: low.location) }
                var hi = lo
                if let high {
                    guard let h = expr(high).constant, h >= lo else {
                        error(high.location, "CASE range must be constant with low <= high")
                        continue
                    }
                    hi = h
                }
                let r = lo...hi
                if seen.contains(where: { $0.overlaps(r) }) { error(low.location, "CASE label \(lo) appears twice") }
                seen.append(r)
                ranges.append(r)
            }
            table.append((ranges, Step(run: block(b.body))))
        }
        // A chain of tests, each branch's ranges checked in order; no closures in arrays at run time.
        typealias Branch = (Env, Int64) -> Void
        var chain: Branch = { _, _ in }
        if let other = otherwise.map({ Step(run: block($0)) })?.run { chain = { env, _ in other(env) } }
        for (ranges, step) in table.reversed() {
            let rest = chain, body = step.run
            if ranges.count == 1 && ranges[0].lowerBound == ranges[0].upperBound {
                let k = ranges[0].lowerBound
                chain = { env, v in if v == k { body(env) } else { rest(env, v) } }
            } else {
                chain = { env, v in
                    for r in ranges where r.contains(v) {
                        body(env)
                        return
                    }
                    rest(env, v)
                }
            }
        }
        let run = chain
        return { env in run(env, value(env)) }
    }

    private func forStmt(_ variable: AST.Expr, _ from: AST.Expr, _ to: AST.Expr, _ by: AST.Expr?,
                         _ body: [AST.Stmt], _ at: SourceLocation) -> Code.Stmt {
        let v = expr(variable)
        let start = expr(from), end = expr(to)
        let step = by.map(expr)
        loopDepth += 1
        let code = block(body)
        loopDepth -= 1
        guard !v.isInvalid, let place = v.place else { return { _ in } }
        guard v.type.isInteger, place.writable else {
            error(variable.location, "FOR needs an integer variable, not '\(v.type)'")
            return { _ in }
        }
        guard case .int(let s0) = coerce(start, to: v.type, at: from.location),
              case .int(let e0) = coerce(end, to: .lint, at: to.location) else { return { _ in } }
        var stepCode: Code.Int = { _ in 1 }
        if let step, let byExpr = by {
            if case .int(let c) = coerce(step, to: .lint, at: byExpr.location) { stepCode = c }
            if step.constant == 0 { error(byExpr.location, "FOR step must not be 0") }
        }
        let setVar = Emit.store(place, .int { $0.stack[$0.sp] })
        let load = loadInt(place)
        let type = v.type
        return { env in
            let first = type.normalise(s0(env))
            let last = e0(env)
            let inc = stepCode(env)
            var i = first
            while inc > 0 ? i <= last : i >= last {
                env.stack[env.sp] = i
                setVar(env)
                code(env)
                if env.jump == 1 { env.jump = 0; break }
                if env.jump == 2 { env.jump = 0 }
                if env.jump == 3 || env.overdue(at) { return }
                let next = load(env) &+ inc
                // A variable that wraps (i := 255 in USINT) ends the loop instead of running forever.
                if type.normalise(next) != next { break }
                i = next
            }
        }
    }
}

extension AST.Stmt.Kind {
    var isExit: Bool {
        if case .exit = self { return true }
        return false
    }
}
