import PLCCore

/// Parses the tokens of one ST file into `AST.File`, collecting every syntax error it can recover from.
struct Parser {
    private var tokens: [Token]
    private var p = 0
    private let comments: [Int: String]
    private let pragmas: [Int: [String]]
    private let fileStem: String
    private(set) var diagnostics: [STDiagnostic] = []
    /// Statements, parentheses, calls, unary operators, initialisers and types open at this point.
    private var nesting = 0
    /// Set when a limit was hit: the rest of the declaration is skipped without further messages.
    private var tooDeep = false

    struct Failure: Error {}

    /// The deepest nesting of statements, parentheses, calls and types the parser accepts: parsing,
    /// checking and running recurse once per level, so a deeper file must fail with a message, not
    /// exhaust the stack (issue 26).
    static let maxNesting = 200
    /// The tallest expression tree accepted (a flat sum of n terms is n - 1 operations tall).
    static let maxExpressionDepth = 1000

    init(_ text: String, file: String, stem: String) {
        var lexer = Lexer(text, file: file)
        tokens = lexer.tokens()
        comments = lexer.lineComments
        pragmas = lexer.pragmas
        diagnostics = lexer.diagnostics
        fileStem = stem
    }

    // MARK: - Token helpers

    private var current: Token { tokens[p] }
    private var location: SourceLocation { current.location }

    private func isKeyword(_ k: String) -> Bool { current.kind == .keyword(k) }
    private func isSymbol(_ s: String) -> Bool { current.kind == .symbol(s) }

    private mutating func advance() { if p < tokens.count - 1 { p += 1 } }

    private mutating func accept(keyword k: String) -> Bool {
        guard isKeyword(k) else { return false }
        advance()
        return true
    }

    private mutating func accept(symbol s: String) -> Bool {
        guard isSymbol(s) else { return false }
        advance()
        return true
    }

    private mutating func fail(_ message: String) -> Failure {
        if !tooDeep { diagnostics.append(STDiagnostic(location, message)) }
        return Failure()
    }

    private mutating func expect(keyword k: String) throws(Failure) {
        guard accept(keyword: k) else { throw fail("expected \(k), found \(current.text)") }
    }

    private mutating func expect(symbol s: String) throws(Failure) {
        guard accept(symbol: s) else { throw fail("expected '\(s)', found \(current.text)") }
    }

    /// Enters one level of nesting; the caller leaves it with `defer { nesting -= 1 }`.
    private mutating func enter() throws(Failure) {
        guard nesting < Self.maxNesting else {
            let failure = fail("nested more than \(Self.maxNesting) levels deep (statements, parentheses, calls); split it up")
            tooDeep = true
            throw failure
        }
        nesting += 1
    }

    /// `e`, unless it is taller than the limit.
    private mutating func limited(_ e: AST.Expr) throws(Failure) -> AST.Expr {
        guard e.depth <= Self.maxExpressionDepth else {
            let failure = fail("expression more than \(Self.maxExpressionDepth) operations deep; split it with temporary variables")
            tooDeep = true
            throw failure
        }
        return e
    }

    private mutating func identifier() throws(Failure) -> String {
        if case .identifier(let name) = current.kind {
            advance()
            return name
        }
        throw fail("expected a name, found \(current.text)")
    }

    /// Skips to just after the next token that ends a construct, to recover after an error.
    private mutating func recover(to ends: Set<String>) {
        while current.kind != .end {
            if case .keyword(let k) = current.kind, ends.contains(k) { return }
            if isSymbol(";") { advance(); return }
            advance()
        }
    }

    // MARK: - File

    /// Parses the whole file.
    mutating func parseFile() -> AST.File {
        var file = AST.File()
        while current.kind != .end {
            let start = location
            tooDeep = false
            if accept(symbol: ";") { continue }      // a stray ';' between declarations
            do {
                switch current.kind {
                case .keyword("FUNCTION_BLOCK"), .keyword("FUNCTION"), .keyword("PROGRAM"):
                    file.pous.append(try pou())
                case .keyword("TYPE"):
                    let outer = hasPragma("qualified_only"), outerStrict = hasPragma("strict")
                    advance()
                    while !isKeyword("END_TYPE") && current.kind != .end {
                        let inner = hasPragma("qualified_only"), innerStrict = hasPragma("strict")
                        var decl = try typeDecl(qualifiedOnly: outer || inner)
                        decl.strict = outerStrict || innerStrict
                        file.types.append(decl)
                    }
                    try expect(keyword: "END_TYPE")
                case .keyword("VAR_GLOBAL"):
                    file.gvls.append(AST.GVL(name: fileStem, location: start, vars: try varSections()))
                default:
                    throw fail("expected FUNCTION_BLOCK, FUNCTION, PROGRAM, TYPE or VAR_GLOBAL, found \(current.text)")
                }
            } catch {
                // Skip to the next top-level keyword.
                while current.kind != .end {
                    if case .keyword(let k) = current.kind,
                       ["FUNCTION_BLOCK", "FUNCTION", "PROGRAM", "TYPE", "VAR_GLOBAL"].contains(k), p > 0 { break }
                    advance()
                    if case .keyword(let k) = tokens[p - 1].kind, k.hasPrefix("END_") && k != "END_VAR"
                        && !["END_IF", "END_CASE", "END_FOR", "END_WHILE", "END_REPEAT", "END_STRUCT"].contains(k) {
                        break
                    }
                }
            }
        }
        return file
    }

    private mutating func pou() throws(Failure) -> AST.POU {
        let start = location
        guard case .keyword(let k) = current.kind, let kind = AST.POU.Kind(rawValue: k) else { throw fail("expected a POU") }
        advance()
        let name = try identifier()
        var returnType: AST.TypeRef? = nil
        var extends: String? = nil
        if kind == .function {
            if accept(symbol: ":") { returnType = try typeRef() }
        } else if case .identifier(let w) = current.kind, w.uppercased() == "EXTENDS" {
            advance()
            extends = try identifier()
            while accept(symbol: ".") { extends! += "." + (try identifier()) }
        }
        let vars = try varSections()
        let body = statements(until: ["END_" + k])
        try expect(keyword: "END_" + k)
        return AST.POU(kind: kind, name: name, location: start, returnType: returnType, extends: extends, vars: vars,
                       body: body)
    }

    // MARK: - Declarations

    private mutating func varSections() throws(Failure) -> [AST.Var] {
        var vars: [AST.Var] = []
        while case .keyword(let k) = current.kind, let section = AST.Section(rawValue: k) {
            advance()
            var constant = false
            var retain: RetainClass? = nil
            while true {
                if accept(keyword: "CONSTANT") { constant = true }
                else if accept(keyword: "RETAIN") { retain = retain ?? .retain }
                else if accept(keyword: "PERSISTENT") { retain = .persistent }
                else { break }
            }
            while !isKeyword("END_VAR") && current.kind != .end {
                do {
                    vars += try varDecl(section: section, constant: constant).map { v in
                        var v = v
                        v.retain = retain
                        return v
                    }
                } catch {
                    recover(to: ["END_VAR"])
                }
            }
            try expect(keyword: "END_VAR")
        }
        return vars
    }

    private mutating func varDecl(section: AST.Section, constant: Bool) throws(Failure) -> [AST.Var] {
        let first = location
        var names: [(String, SourceLocation)] = [(try identifier(), first)]
        while accept(symbol: ",") {
            let l = location
            names.append((try identifier(), l))
        }
        if case .identifier(let w) = current.kind, w.uppercased() == "AT" {
            throw fail("AT addresses are not supported")
        }
        try expect(symbol: ":")
        let type = try typeRef()
        var initial: AST.Expr? = nil
        if accept(symbol: ":=") { initial = try initialiser() }
        let comment = comments[names[0].1.line] ?? ""
        try expect(symbol: ";")
        return names.map {
            AST.Var(name: $0.0, location: $0.1, type: type, initial: initial, section: section, constant: constant,
                    comment: comment)
        }
    }

    /// An initial value: an expression, an array initialiser or a structure initialiser.
    private mutating func initialiser() throws(Failure) -> AST.Expr {
        let start = location
        try enter()
        defer { nesting -= 1 }
        if isSymbol("[") {
            advance()
            var items: [(count: AST.Expr?, value: AST.Expr)] = []
            if !isSymbol("]") {
                repeat {
                    if case .integer(let n, nil) = current.kind, tokens[p + 1].kind == .symbol("(") {
                        let countAt = location
                        advance()
                        advance()
                        let value = try initialiser()
                        try expect(symbol: ")")
                        items.append((AST.Expr(.integer(n, type: nil), countAt), value))
                    } else {
                        items.append((nil, try initialiser()))
                    }
                } while accept(symbol: ",")
            }
            try expect(symbol: "]")
            return AST.Expr(.arrayLiteral(items), start)
        }
        if isSymbol("("), case .identifier = tokens[p + 1].kind, tokens[p + 2].kind == .symbol(":=") {
            advance()
            var fields: [(name: String, value: AST.Expr)] = []
            repeat {
                let name = try identifier()
                try expect(symbol: ":=")
                fields.append((name, try initialiser()))
            } while accept(symbol: ",")
            try expect(symbol: ")")
            return AST.Expr(.structLiteral(fields), start)
        }
        return try expression()
    }

    private mutating func typeRef() throws(Failure) -> AST.TypeRef {
        try enter()
        defer { nesting -= 1 }
        let start = location
        if accept(keyword: "ARRAY") {
            try expect(symbol: "[")
            var ranges: [(low: AST.Expr, high: AST.Expr)] = []
            repeat {
                let low = try expression()
                try expect(symbol: "..")
                ranges.append((low, try expression()))
            } while accept(symbol: ",")
            try expect(symbol: "]")
            try expect(keyword: "OF")
            return .array(ranges: ranges, of: try typeRef(), start)
        }
        if accept(keyword: "POINTER") {
            try expect(keyword: "TO")
            return .pointer(try typeRef(), start)
        }
        if accept(keyword: "REFERENCE") {
            try expect(keyword: "TO")
            return .reference(try typeRef(), start)
        }
        var name = try identifier()
        if name.uppercased() == "STRING" || name.uppercased() == "WSTRING" {
            var length: AST.Expr? = nil
            if accept(symbol: "(") {
                length = try expression()
                try expect(symbol: ")")
            } else if accept(symbol: "[") {
                length = try expression()
                try expect(symbol: "]")
            }
            return .string(length: length, start)
        }
        while accept(symbol: ".") { name += "." + (try identifier()) }
        return .named(name, start)
    }

    /// True when a pragma before the current token is `attribute '<name>'`.
    private func hasPragma(_ name: String) -> Bool {
        (pragmas[p] ?? []).contains { $0.replacingEvery(" ", with: "") == "attribute'\(name)'" }
    }

    private mutating func typeDecl(qualifiedOnly: Bool) throws(Failure) -> AST.TypeDecl {
        let start = location
        let name = try identifier()
        try expect(symbol: ":")
        if accept(keyword: "STRUCT") {
            var fields: [AST.Var] = []
            while !isKeyword("END_STRUCT") && current.kind != .end {
                fields += try varDecl(section: .local, constant: false)
            }
            try expect(keyword: "END_STRUCT")
            _ = accept(symbol: ";")
            return AST.TypeDecl(name: name, location: start, kind: .structure(fields))
        }
        if accept(symbol: "(") {
            var cases: [(name: String, value: AST.Expr?, location: SourceLocation)] = []
            repeat {
                let l = location
                let caseName = try identifier()
                var value: AST.Expr? = nil
                if accept(symbol: ":=") { value = try expression() }
                cases.append((caseName, value, l))
            } while accept(symbol: ",")
            try expect(symbol: ")")
            var base: AST.TypeRef? = nil
            if !isSymbol(";") && !isSymbol(":=") { base = try typeRef() }
            if accept(symbol: ":=") { _ = try expression() }
            try expect(symbol: ";")
            return AST.TypeDecl(name: name, location: start, kind: .enumeration(cases, base: base),
                                qualifiedOnly: qualifiedOnly)
        }
        let target = try typeRef()
        if accept(symbol: ":=") { _ = try initialiser() }
        try expect(symbol: ";")
        return AST.TypeDecl(name: name, location: start, kind: .alias(target))
    }

    // MARK: - Statements

    /// Keywords that end a POU: a statement list never runs past them, even when an END_IF is missing.
    private static let pouEnds: Set<String> = [
        "END_FUNCTION_BLOCK", "END_FUNCTION", "END_PROGRAM", "FUNCTION_BLOCK", "FUNCTION", "PROGRAM", "TYPE", "VAR_GLOBAL",
    ]

    /// After a limit was hit: too deep to recover statement by statement, the rest of the body is skipped.
    private mutating func skipToPOUEnd() {
        while current.kind != .end {
            if case .keyword(let k) = current.kind, Self.pouEnds.contains(k) { return }
            advance()
        }
    }

    private mutating func statements(until stops: Set<String>) -> [AST.Stmt] {
        let ends = stops.union(Self.pouEnds)
        var out: [AST.Stmt] = []
        while current.kind != .end {
            if case .keyword(let k) = current.kind, ends.contains(k) { break }
            if accept(symbol: ";") { continue }
            let before = p
            do {
                out.append(try statement())
            } catch {
                if tooDeep {
                    skipToPOUEnd()
                    break
                }
                recover(to: ends.union(["END_IF", "END_CASE", "END_FOR", "END_WHILE", "END_REPEAT", "ELSE", "ELSIF"]))
                if case .keyword(let k) = current.kind, !ends.contains(k),
                   ["END_IF", "END_CASE", "END_FOR", "END_WHILE", "END_REPEAT"].contains(k) {
                    advance()
                }
                // A stray ELSE or ELSIF (found by fuzzing) stops the recovery where it started: skip it.
                if p == before { advance() }
            }
        }
        return out
    }

    private mutating func statement() throws(Failure) -> AST.Stmt {
        let start = location
        try enter()
        defer { nesting -= 1 }
        switch current.kind {
        case .keyword("IF"):
            advance()
            var branches: [(condition: AST.Expr, body: [AST.Stmt])] = []
            let condition = try expression()
            try expect(keyword: "THEN")
            branches.append((condition, statements(until: ["ELSIF", "ELSE", "END_IF"])))
            var otherwise: [AST.Stmt]? = nil
            while accept(keyword: "ELSIF") {
                let c = try expression()
                try expect(keyword: "THEN")
                branches.append((c, statements(until: ["ELSIF", "ELSE", "END_IF"])))
            }
            if accept(keyword: "ELSE") { otherwise = statements(until: ["END_IF"]) }
            try expect(keyword: "END_IF")
            return AST.Stmt(.ifThen(branches, otherwise: otherwise), start)
        case .keyword("CASE"):
            advance()
            let selector = try expression()
            try expect(keyword: "OF")
            var branches: [AST.CaseBranch] = []
            var otherwise: [AST.Stmt]? = nil
            while !isKeyword("END_CASE") && current.kind != .end {
                if accept(keyword: "ELSE") {
                    otherwise = statements(until: ["END_CASE"])
                    break
                }
                var labels: [(low: AST.Expr, high: AST.Expr?)] = []
                repeat {
                    let low = try expression()
                    labels.append((low, accept(symbol: "..") ? try expression() : nil))
                } while accept(symbol: ",")
                try expect(symbol: ":")
                branches.append(AST.CaseBranch(labels: labels, body: caseBody()))
            }
            try expect(keyword: "END_CASE")
            return AST.Stmt(.caseOf(selector, branches, otherwise: otherwise), start)
        case .keyword("FOR"):
            advance()
            let variable = AST.Expr(.name(try identifier()), start)
            try expect(symbol: ":=")
            let from = try expression()
            try expect(keyword: "TO")
            let to = try expression()
            let by = accept(keyword: "BY") ? try expression() : nil
            try expect(keyword: "DO")
            let body = statements(until: ["END_FOR"])
            try expect(keyword: "END_FOR")
            return AST.Stmt(.forLoop(variable: variable, from: from, to: to, by: by, body: body), start)
        case .keyword("WHILE"):
            advance()
            let condition = try expression()
            try expect(keyword: "DO")
            let body = statements(until: ["END_WHILE"])
            try expect(keyword: "END_WHILE")
            return AST.Stmt(.whileLoop(condition, body), start)
        case .keyword("REPEAT"):
            advance()
            let body = statements(until: ["UNTIL"])
            try expect(keyword: "UNTIL")
            let condition = try expression()
            try expect(keyword: "END_REPEAT")
            return AST.Stmt(.repeatLoop(body, until: condition), start)
        case .keyword("EXIT"):
            advance()
            try expect(symbol: ";")
            return AST.Stmt(.exit, start)
        case .keyword("CONTINUE"):
            advance()
            try expect(symbol: ";")
            return AST.Stmt(.continue, start)
        case .keyword("RETURN"):
            advance()
            try expect(symbol: ";")
            return AST.Stmt(.return, start)
        default:
            let target = try expression()
            if accept(symbol: ":=") {
                let value = try expression()
                try expect(symbol: ";")
                return AST.Stmt(.assign(target, value), start)
            }
            guard case .call = target.kind else { throw fail("expected ':=' or a call, found \(current.text)") }
            try expect(symbol: ";")
            return AST.Stmt(.call(target), start)
        }
    }

    /// The statements of a CASE branch: up to the next label (`value :` or `a..b :`), ELSE or END_CASE.
    private mutating func caseBody() -> [AST.Stmt] {
        var out: [AST.Stmt] = []
        while current.kind != .end && !isKeyword("END_CASE") && !isKeyword("ELSE") && !startsCaseLabel() {
            if accept(symbol: ";") { continue }
            let before = p
            do {
                out.append(try statement())
            } catch {
                if tooDeep {
                    skipToPOUEnd()
                    break
                }
                recover(to: ["END_CASE", "ELSE"])
                if p == before { advance() }
            }
        }
        return out
    }

    /// True when the tokens ahead read as a CASE label list followed by ':' (not ':=').
    private func startsCaseLabel() -> Bool {
        var k = p
        while k < tokens.count {
            switch tokens[k].kind {
            case .symbol(":"): return k > p
            case .symbol(","), .symbol(".."), .symbol("."), .symbol("-"), .identifier, .integer, .keyword("TRUE"),
                 .keyword("FALSE"):
                k += 1
            default: return false
            }
        }
        return false
    }

    // MARK: - Expressions (IEC precedence, lowest first)

    private static let levels: [[String]] = [
        ["OR", "OR_ELSE"], ["XOR"], ["AND", "&", "AND_THEN"], ["=", "<>"], ["<", ">", "<=", ">="], ["+", "-"],
        ["*", "/", "MOD"], ["**"],
    ]

    mutating func expression() throws(Failure) -> AST.Expr {
        try enter()
        defer { nesting -= 1 }
        return try binary(0)
    }

    private func operatorText() -> String? {
        switch current.kind {
        case .keyword(let k) where ["OR", "OR_ELSE", "XOR", "AND", "AND_THEN", "MOD"].contains(k): k
        case .symbol(let s): s
        default: nil
        }
    }

    private mutating func binary(_ level: Int) throws(Failure) -> AST.Expr {
        guard level < Self.levels.count else { return try unary() }
        var left = try binary(level + 1)
        while let op = operatorText(), Self.levels[level].contains(op) {
            let l = location
            advance()
            let right = try binary(level + 1)
            left = try limited(AST.Expr(.binary(op == "&" ? "AND" : op, left, right), l))
        }
        return left
    }

    private mutating func unary() throws(Failure) -> AST.Expr {
        let start = location
        try enter()
        defer { nesting -= 1 }
        if accept(keyword: "NOT") { return AST.Expr(.unary("NOT", try unary()), start) }
        if accept(symbol: "-") {
            switch current.kind {
            case .integer(let v, let t) where t == nil:
                advance()
                return try postfix(AST.Expr(.integer(0 &- v, type: nil), start))   // -9223372036854775808 wraps to itself
            case .real(let v, let t) where t == nil:
                advance()
                return try postfix(AST.Expr(.real(-v, type: nil), start))
            default:
                return AST.Expr(.unary("-", try unary()), start)
            }
        }
        if accept(symbol: "+") { return try unary() }
        return try postfix(try primary())
    }

    private mutating func primary() throws(Failure) -> AST.Expr {
        let start = location
        let kind: AST.Expr.Kind
        switch current.kind {
        case .integer(let v, let t): kind = .integer(v, type: t)
        case .real(let v, let t): kind = .real(v, type: t)
        case .keyword("TRUE"): kind = .bool(true)
        case .keyword("FALSE"): kind = .bool(false)
        case .string(let s): kind = .string(s)
        case .duration(let ns, let long): kind = .duration(ns, long: long)
        case .dateTime(let v, let t): kind = .dateTime(v, type: t)
        case .identifier(let name): kind = .name(name)
        case .symbol("("):
            advance()
            let inner = try expression()
            try expect(symbol: ")")
            return inner
        default:
            throw fail("expected an expression, found \(current.text)")
        }
        advance()
        return AST.Expr(kind, start)
    }

    private mutating func postfix(_ base: AST.Expr) throws(Failure) -> AST.Expr {
        var e = base
        while true {
            let l = location
            if accept(symbol: ".") {
                // Bit access (x.3) and members; located at the member's name.
                let m = location
                if case .integer(let v, nil) = current.kind {
                    advance()
                    e = AST.Expr(.member(e, String(v)), m)
                } else {
                    e = AST.Expr(.member(e, try identifier()), m)
                }
            } else if accept(symbol: "[") {
                var indexes: [AST.Expr] = []
                repeat { indexes.append(try expression()) } while accept(symbol: ",")
                try expect(symbol: "]")
                e = AST.Expr(.index(e, indexes), l)
            } else if accept(symbol: "^") {
                e = AST.Expr(.deref(e), l)
            } else if isSymbol("(") {
                advance()
                var args: [AST.Arg] = []
                if !isSymbol(")") {
                    repeat { args.append(try argument()) } while accept(symbol: ",")
                }
                try expect(symbol: ")")
                e = AST.Expr(.call(e, args), e.location)
            } else {
                return e
            }
            e = try limited(e)
        }
    }

    private mutating func argument() throws(Failure) -> AST.Arg {
        let start = location
        if case .identifier(let name) = current.kind {
            let next = tokens[p + 1].kind
            if next == .symbol(":=") || next == .symbol("=>") {
                advance()
                advance()
                return AST.Arg(name: name, isOutput: next == .symbol("=>"), value: try expression(), location: start)
            }
        }
        if isKeyword("NOT"), case .identifier(let name) = tokens[p + 1].kind, tokens[p + 2].kind == .symbol("=>") {
            throw fail("negated output '\(name)' is not supported")
        }
        return AST.Arg(name: nil, isOutput: false, value: try expression(), location: start)
    }
}
