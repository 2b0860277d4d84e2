/// Resolves names and types, applies Codesys's conversion rules, collects every diagnostic, and
/// emits the closures of each body once (`Emit`); nothing here runs during a scan.
final class Checker {
    let index: Index
    var diagnostics: [STDiagnostic] = []
    /// Remarks that do not stop a build (Codesys compiles them, with a result the author likely did not mean).
    var warnings: [STDiagnostic] = []
    /// The POU whose body is being checked.
    var pou: POUInfo?
    /// Names of FOR loop variables in use (they must not be written in the loop).
    var loopDepth = 0
    /// Constants being folded (a constant defined by itself is not folded forever).
    var folding: Set<ObjectIdentifier> = []

    init(_ index: Index) {
        self.index = index
    }

    func error(_ at: SourceLocation, _ message: String) {
        diagnostics.append(STDiagnostic(at, message))
    }

    // MARK: - Types and layout

    func resolve(_ ref: AST.TypeRef) -> STType {
        switch ref {
        case .string(let length, let at):
            guard let length else { return .string(80) }
            guard let n = constant(length), n >= 1, n <= 65535 else {
                error(at, "string length must be a constant from 1 to 65535")
                return .string(80)
            }
            return .string(Int(n))
        case .pointer(let t, _): return .pointer(resolve(t))
        case .reference(let t, _): return .reference(resolve(t))
        case .array(let ranges, let element, let at):
            var type = resolve(element)
            for (low, high) in ranges.reversed() {
                guard let lo = constant(low), let hi = constant(high), hi >= lo, hi - lo < 1_000_000 else {
                    error(at, "array bounds must be constants with low <= high")
                    return .void
                }
                type = .array(type, low: Int(lo), high: Int(hi))
            }
            return type
        case .named(let name, let at):
            if let t = STType.elementary[name.uppercased()] { return t }
            if let p = index.pou(name) {
                guard p.kind != .function else {
                    error(at, "'\(name)' is a FUNCTION, not a type")
                    return .void
                }
                layout(p)
                return .instance(p)
            }
            switch index.type(name) {
            case .enumeration(let e, let decl)?:
                layoutEnum(e, decl)
                return .enumeration(e)
            case .structure(let s, let decl)?:
                layoutStruct(s, decl)
                return .structure(s)
            case .alias(let decl)?:
                guard case .alias(let target) = decl.kind else { return .void }
                return resolve(target)
            case nil:
                error(at, "unknown type '\(name)'" + (LibraryInterface.hint(for: name).map { ": \($0)" } ?? ""))
                return .void
            }
        }
    }

    private func layoutEnum(_ e: EnumInfo, _ decl: AST.TypeDecl) {
        guard e.cases.isEmpty, case .enumeration(let cases, let base) = decl.kind else { return }
        if let base { e.base = resolve(base) }
        e.strict = decl.strict
        var next: Int64 = 0
        for c in cases {
            var v = next
            if let value = c.value {
                if let k = constant(value) { v = k } else { error(c.location, "enumeration value must be a constant") }
            }
            if e.value(of: c.name) != nil { error(c.location, "'\(c.name)' appears twice in \(e.name)") }
            e.cases.append((c.name, v))
            next = v + 1
        }
    }

    private var structsLaidOut: Set<ObjectIdentifier> = []

    private func layoutStruct(_ s: StructInfo, _ decl: AST.TypeDecl) {
        guard structsLaidOut.insert(ObjectIdentifier(s)).inserted, case .structure(let fields) = decl.kind else { return }
        for f in fields {
            let v = VarInfo(name: f.name, section: .local, ast: f)
            v.type = resolve(f.type)
            v.offset = s.size
            s.size += v.type.size
            s.fields.append(v)
        }
    }

    /// Lays out a POU's variables (a FUNCTION's result at offset 0).
    func layout(_ p: POUInfo) {
        guard !p.laidOut else { return }
        guard let ast = p.ast else { return }
        if p.layingOut {
            error(ast.location, "'\(p.name)' contains an instance of itself")
            return
        }
        p.layingOut = true
        let savedPOU = pou
        pou = p                     // array bounds and string lengths may use the POU's own constants
        defer { p.layingOut = false; p.laidOut = true; pou = savedPOU }
        if let baseName = ast.extends {
            if let b = index.pou(baseName), b.kind == .functionBlock, p.kind == .functionBlock {
                layout(b)
                p.base = b
                p.vars = b.vars
                p.size = b.size
            } else {
                error(ast.location, "'\(baseName)' is not a FUNCTION_BLOCK to extend")
            }
        }
        if p.kind == .function {
            let result = VarInfo(name: p.name, section: .output, ast: nil)
            if let r = ast.returnType { result.type = resolve(r) }
            p.returnType = result.type
            p.vars.append(result)
            p.size = result.type == .void ? 1 : result.type.size
            result.offset = 0
        }
        defer {
            if p.kind == .function {
                p.frameOffset = index.globalSize
                index.globalSize += p.size
                index.globalStrings += (0..<1).flatMap { _ in
                    p.vars.flatMap { v in v.type.stringSlots().map { $0 + v.offset + p.frameOffset } }
                }
            }
        }
        for v in ast.vars {
            if p.variable(v.name) != nil {
                error(v.location, "'\(v.name)' is declared twice in \(p.name)")
                continue
            }
            let info = VarInfo(name: v.name, section: v.section, ast: v, constant: v.constant)
            var type = resolve(v.type)
            if v.section == .inOut { type = .reference(type) }
            if v.section == .external || v.section == .global {
                error(v.location, "\(v.section.rawValue) is not supported inside a POU")
            }
            if case .instance(let inner) = type, inner.kind == .program {
                error(v.location, "a PROGRAM cannot be instantiated ('\(v.name) : \(inner.name)')")
            }
            if p.kind == .function, case .instance = type, v.section == .input || v.section == .output {
                error(v.location, "a FUNCTION cannot take a function block instance by value")
            }
            info.type = type
            info.offset = p.size
            p.size += max(type.size, 1)
            p.vars.append(info)
        }
    }

    /// Lays out every global list and every FUNCTION's frame in the global area.
    func layoutGlobals() {
        for name in index.gvls.keys.sorted() {
            for v in index.gvls[name]!.vars {
                v.type = resolve(v.ast!.type)
                v.offset = index.globalSize
                index.globalSize += max(v.type.size, 1)
                index.globalStrings += v.type.stringSlots().map { $0 + v.offset }
            }
        }
    }

    // MARK: - Constants

    /// The value of a constant integer expression, or nil (no diagnostic).
    func constant(_ e: AST.Expr) -> Int64? {
        let saved = diagnostics.count
        let t = expr(e)
        if diagnostics.count > saved { diagnostics.removeLast(diagnostics.count - saved) }
        return t.constant
    }

    // MARK: - Conversions (Codesys: integers and reals convert implicitly; BOOL, TIME, STRING do not)

    /// True when a value of `from` may be stored in `to` without an explicit conversion.
    func implicitlyConverts(_ t: Typed, to: STType) -> Bool {
        let from = t.type
        if from == to { return true }
        if from == .void || to == .void { return true }
        if from.isNumeric && to.isNumeric {
            if case .enumeration(let e) = to, e.strict { return false }
            if case .enumeration = to, !t.literal, !(from.isIntegral) { return false }
            return true
        }
        if from.isString && to.isString { return true }
        if t.literal && from.isIntegral && to.isTime { return false }
        if case .pointer = to {
            if case .pointer = from { return true }
            if t.literal && t.constant == 0 { return true }
            if from == .ulint || from == .lword { return false }
            return false
        }
        if case .reference(let inner) = to, inner == from { return true }
        if case .instance(let a) = from, case .instance(let b) = to, a.isA(b) { return true }
        return false
    }

    /// `t` as a value of type `to`, or an error at `at` naming both types.
    func coerce(_ t: Typed, to: STType, at: SourceLocation) -> Typed.Value {
        if t.isInvalid || to == .void { return Emit.convert(t, to: to) }
        guard implicitlyConverts(t, to: to) else {
            error(at, "cannot convert type '\(t.type)' to type '\(to)'")
            return .none
        }
        if t.literal, case .string(let length) = t.type, case .string(let capacity) = to, length > capacity {
            warnings.append(STDiagnostic(at, "warning: a string of \(length) characters does not fit type '\(to)' and is cut"))
        }
        if let k = t.constant, t.literal, to.isIntegral, let (bits, signed) = to.integerFormat, bits < 64 {
            let lo: Int64 = signed ? -(1 << Int64(bits - 1)) : 0
            let hi: Int64 = signed ? (1 << Int64(bits - 1)) - 1 : (1 << Int64(bits)) - 1
            if k < lo || k > hi { error(at, "constant \(k) does not fit type '\(to)'") }
        }
        return Emit.convert(t, to: to)
    }

    /// Code that stores the expression `source` into `target`, or reports why it cannot.
    func assign(_ target: Place, _ source: Typed, at: SourceLocation) -> Code.Stmt {
        if source.isInvalid || target.type == .void { return { _ in } }
        if target.type.isAggregate || source.type.isAggregate {
            guard source.type == target.type, let from = source.place else {
                error(at, "cannot convert type '\(source.type)' to type '\(target.type)'")
                return { _ in }
            }
            return Emit.copy(from: from, to: target)
        }
        let value = coerce(source, to: target.type, at: at)
        if let t = target.frameOffset, target.type.isIntDomain, implicitlyConverts(source, to: target.type) {
            if let k = source.constant, !target.type.isPointerLike {
                let v = target.type == .bool ? (k != 0 ? 1 : 0) : target.type.normalise(k)
                return { $0.f[t] = v }
            }
            if let s = source.slot, source.type == target.type { return { $0.f[t] = $0.f[s] } }
        }
        return Emit.store(target, value)
    }

    /// The expression as a BOOL condition.
    func condition(_ e: AST.Expr) -> Code.Int {
        conditionTyped(e).value.intCode
    }

    /// The condition with its frame slot when it is a plain BOOL variable (for a fused IF).
    func conditionTyped(_ e: AST.Expr) -> Typed {
        let t = expr(e)
        if t.isInvalid { return Typed(type: .bool, value: .int { _ in 0 }) }
        guard t.type == .bool, case .int = t.value else {
            error(e.location, "condition must be BOOL, not '\(t.type)'")
            return Typed(type: .bool, value: .int { _ in 0 })
        }
        return t
    }
}
