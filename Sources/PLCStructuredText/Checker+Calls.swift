extension Checker {
    /// A slot in the global area reserved for one call site (arguments are staged there, so a nested
    /// call of the same FUNCTION cannot overwrite them: IEC forbids recursion, so one is enough).
    func staging(_ type: STType) -> Place {
        let offset = index.globalSize
        index.globalSize += max(type.size, 1)
        index.globalStrings += type.stringSlots().map { $0 + offset }
        return .global(offset, type)
    }

    /// Checks a call in an expression: a FUNCTION, a standard function or a stand-in.
    func callExpr(_ callee: AST.Expr, _ args: [AST.Arg], _ at: SourceLocation) -> Typed {
        if let name = dotted(callee), pou?.variable(name) == nil, index.globals[name.uppercased()] == nil {
            if let p = index.pou(name), p.kind == .function { return functionCall(p, args, at) }
            if let p = index.pou(name), p.kind != .function {
                error(at, "'\(p.name)' is a function block type; call an instance of it")
                return .invalid
            }
            if Builtins.isBuiltin(name) {
                for a in args where a.isOutput { error(a.location, "'\(name)' has no outputs") }
                return Builtins.check(name, args.map(\.value), at, self)
            }
            if !name.contains(".") || index.gvls[index.lookupKey(String(name.split(separator: ".")[0]))] == nil {
                let t = expr(callee)
                if t.isInvalid { return .invalid }
            }
        }
        let t = expr(callee)
        if t.isInvalid { return .invalid }
        if case .instance(let p) = t.type {
            error(at, "function block '\(p.name)' cannot be called inside an expression; call it as a statement")
            return .invalid
        }
        error(at, "'\(t.type)' cannot be called")
        return .invalid
    }

    /// The parameters of `p` that a call may set, in the order positional arguments fill them.
    private func parameters(_ p: POUInfo) -> [VarInfo] {
        p.vars.filter { ($0.section == .input || $0.section == .inOut) && !($0.name == p.name && p.kind == .function) }
    }

    /// Matches call arguments to parameters; reports unknown, repeated and misplaced names.
    private func bind(_ p: POUInfo, _ args: [AST.Arg], at: SourceLocation)
        -> (inputs: [(VarInfo, AST.Arg)], outputs: [(VarInfo, AST.Arg)])? {
        var inputs: [(VarInfo, AST.Arg)] = [], outputs: [(VarInfo, AST.Arg)] = []
        let params = parameters(p)
        let named = args.contains { $0.name != nil }
        if named, args.contains(where: { $0.name == nil }) {
            error(at, "call of '\(p.name)' mixes positional and named arguments")
            return nil
        }
        if !named {
            guard args.count <= params.count else {
                error(at, "'\(p.name)' takes \(params.count) argument(s), \(args.count) given")
                return nil
            }
            return (Array(zip(params, args)), [])
        }
        var seen = Set<String>()
        var ok = true
        for a in args {
            let name = a.name!
            guard seen.insert(name.uppercased()).inserted else {
                error(a.location, "'\(name)' is assigned twice in the call of '\(p.name)'")
                ok = false
                continue
            }
            guard let v = p.variable(name), !(p.kind == .function && v.offset == 0 && v.name == p.name) else {
                error(a.location, "'\(p.name)' has no parameter '\(name)'")
                ok = false
                continue
            }
            if a.isOutput {
                guard v.section == .output else {
                    error(a.location, "'\(name)' is not an output of '\(p.name)'; use ':='")
                    ok = false
                    continue
                }
                outputs.append((v, a))
            } else {
                guard v.section == .input || v.section == .inOut else {
                    let what = v.section == .output ? "an output; use '=>'" : "not an input"
                    error(a.location, "'\(name)' of '\(p.name)' is \(what)")
                    ok = false
                    continue
                }
                inputs.append((v, a))
            }
        }
        return ok ? (inputs, outputs) : nil
    }

    /// Code that makes the reference parameter `v` (at `slot`) point to the argument's variable.
    private func bindReference(_ v: VarInfo, _ a: AST.Arg, slot: Place, callee: String) -> Step? {
        guard case .reference(let inner) = v.type else { return nil }
        let t = expr(a.value)
        if t.isInvalid { return nil }
        guard let place = t.place else {
            error(a.value.location, "VAR_IN_OUT '\(v.name)' of '\(callee)' needs a variable of type '\(inner)', not an expression of type '\(t.type)'")
            return nil
        }
        let compatible: Bool
        switch (t.type, inner) {
        case (.string, .string): compatible = true
        case (.instance(let a), .instance(let b)): compatible = a.isA(b)
        default: compatible = t.type == inner
        }
        guard compatible else {
            error(a.value.location, "VAR_IN_OUT '\(v.name)' of '\(callee)' needs a variable of type '\(inner)', not '\(t.type)'")
            return nil
        }
        guard place.writable else {
            error(a.location, "VAR_IN_OUT '\(v.name)' of '\(callee)' needs a variable with write access")
            return nil
        }
        let addr = place.addr
        let target = slot.addr
        return Step { env in target(env).pointee = Int64(Int(bitPattern: addr(env))) }
    }

    /// Code for `=> target` outputs, read from the callee's frame at `frame`.
    private func bindOutputs(_ outputs: [(VarInfo, AST.Arg)], frame: (Int) -> Place, callee: String) -> [Step] {
        outputs.compactMap { v, a in
            let t = expr(a.value)
            if t.isInvalid { return nil }
            guard let target = t.place, target.writable else {
                error(a.location, "output '\(v.name)' of '\(callee)' must go to a variable")
                return nil
            }
            let source = variable(frame(v.offset))
            return Step(run: assign(target, source, at: a.value.location))
        }
    }

    /// A FUNCTION call: arguments staged, the frame reset to its initial values, the body run.
    func functionCall(_ p: POUInfo, _ args: [AST.Arg], _ at: SourceLocation) -> Typed {
        layout(p)
        guard let (inputs, outputs) = bind(p, args, at: at) else {
            for a in args { _ = expr(a.value) }
            return .invalid
        }
        let fo = p.frameOffset
        var stage: [Step] = []
        var copy: [Step] = []
        for (v, a) in inputs {
            let slot = Place.global(fo + v.offset, v.type)
            if case .reference = v.type {
                if let s = bindReference(v, a, slot: slot, callee: p.name) { copy.append(s) }
                continue
            }
            let t = expr(a.value)
            let temp = staging(v.type)
            stage.append(Step(run: assign(temp, t, at: a.value.location)))
            copy.append(Step(run: Emit.copy(from: temp, to: slot)))
        }
        for v in parameters(p) where v.section == .inOut && !inputs.contains(where: { $0.0 === v }) {
            error(at, "VAR_IN_OUT '\(v.name)' of '\(p.name)' must be assigned in the call")
        }
        let post = bindOutputs(outputs, frame: { offset in
            .global(fo + offset, p.vars.first { $0.offset == offset }?.type ?? .void)
        }, callee: p.name)
        compile(p)
        let staged = Emit.sequence(stage), copied = Emit.sequence(copy), postCode = Emit.sequence(post)
        let initialise = p.initialise
        let body = p.runnable
        let run: Code.Stmt = { env in
            if env.overdue(at) { return }
            staged(env)
            let saved = env.f
            env.f = env.g + fo
            initialise(env)
            env.f = saved
            copied(env)
            env.f = env.g + fo
            body(env)
            env.jump = env.unwind
            env.f = saved
            postCode(env)
        }
        let result = Place.global(fo, p.returnType)
        switch Emit.load(result) {
        case .int(let load): return Typed(type: p.returnType, value: .int { run($0); return load($0) }, place: nil)
        case .real(let load): return Typed(type: p.returnType, value: .real { run($0); return load($0) }, place: nil)
        case .str(let load): return Typed(type: p.returnType, value: .str { run($0); return load($0) }, place: nil)
        case .none:
            // A FUNCTION without a result (or returning an aggregate) is only a statement.
            return Typed(type: .void, value: .int { run($0); return 0 }, place: nil)
        }
    }

    /// A function block call statement `instance(inputs, outputs => ...)`.
    func instanceCall(_ instance: Typed, _ p: POUInfo, _ args: [AST.Arg], _ at: SourceLocation) -> Code.Stmt {
        guard let place = instance.place else { return { _ in } }
        guard let (inputs, outputs) = bind(p, args, at: at) else {
            for a in args { _ = expr(a.value) }
            return { _ in }
        }
        var pre: [Step] = []
        for (v, a) in inputs {
            let slot = place.member(v.offset, v.type)
            if case .reference = v.type {
                if let s = bindReference(v, a, slot: slot, callee: p.name) { pre.append(s) }
                continue
            }
            pre.append(Step(run: assign(slot, expr(a.value), at: a.value.location)))
        }
        for v in parameters(p) where v.section == .inOut && !inputs.contains(where: { $0.0 === v }) {
            error(at, "VAR_IN_OUT '\(v.name)' of '\(p.name)' must be assigned in the call")
        }
        let post = bindOutputs(outputs, frame: { offset in
            place.member(offset, p.vars.first { $0.offset == offset }?.type ?? .void)
        }, callee: p.name)
        let addr = place.addr
        compile(p)
        let body = p.runnable
        if pre.isEmpty && post.isEmpty {
            if let f = place.frameOffset {
                return { env in
                    if env.overdue(at) { return }
                    let saved = env.f
                    env.f = saved + f
                    body(env)
                    env.jump = env.unwind
                    env.f = saved
                }
            }
            return { env in
                if env.overdue(at) { return }
                let saved = env.f
                env.f = addr(env)
                body(env)
                env.jump = env.unwind
                env.f = saved
            }
        }
        let preCode = Emit.sequence(pre), postCode = Emit.sequence(post)
        return { env in
            if env.overdue(at) { return }
            preCode(env)
            let saved = env.f
            env.f = addr(env)
            body(env)
            env.jump = env.unwind
            env.f = saved
            postCode(env)
        }
    }

    /// Compiles `p`'s initialiser and body once, before any call of it is compiled, so calls capture the
    /// closures themselves. IEC has no recursion: a POU reached again while compiling is an error.
    func compile(_ p: POUInfo) {
        guard !p.compiled else { return }
        guard let ast = p.ast else {
            p.compiled = true
            return
        }
        if p.compiling {
            error(ast.location, "'\(p.name)' calls itself (recursion is not allowed)")
            return
        }
        p.compiling = true
        let (savedPOU, savedDepth) = (pou, loopDepth)
        pou = p
        loopDepth = 0
        p.initialise = initialiser(p)
        p.body = block(ast.body)
        pou = savedPOU
        loopDepth = savedDepth
        p.compiling = false
        p.compiled = true
    }
}
