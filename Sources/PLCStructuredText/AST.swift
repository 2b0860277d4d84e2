import PLCCore

/// The syntax tree of ST source, as parsed; names are not resolved yet (see `Checker`).
enum AST {
    /// An expression with where it starts.
    final class Expr: Sendable {
        indirect enum Kind: Sendable {
            case integer(Int64, type: String?)
            case real(Double, type: String?)
            case bool(Bool)
            case string(String)
            case duration(Int64, long: Bool)
            case dateTime(Int64, type: String)
            case name(String)
            case member(Expr, String)
            case index(Expr, [Expr])
            case deref(Expr)
            case unary(String, Expr)
            case binary(String, Expr, Expr)
            case call(Expr, [Arg])
            /// An array initialiser such as `[6(1), 3(3), 0]`: (repeat count, value) pairs.
            case arrayLiteral([(count: Expr?, value: Expr)])
            /// A structure or FB initialiser such as `(auiDecimals := [...])`.
            case structLiteral([(name: String, value: Expr)])
        }

        let kind: Kind
        let location: SourceLocation
        /// The height of the tree: 1 for a leaf. The parser limits it, since checking and running an
        /// expression recurse once per level.
        let depth: Int

        init(_ kind: Kind, _ location: SourceLocation) {
            self.kind = kind
            self.location = location
            depth = 1 + kind.children.reduce(0) { max($0, $1.depth) }
        }
    }

    /// A call argument: positional, `name := value` or `name => variable`.
    struct Arg: Sendable {
        let name: String?
        let isOutput: Bool
        let value: Expr
        let location: SourceLocation
    }

    /// A statement with where it starts.
    final class Stmt: Sendable {
        indirect enum Kind: Sendable {
            case assign(Expr, Expr)
            case call(Expr)
            case ifThen([(condition: Expr, body: [Stmt])], otherwise: [Stmt]?)
            case caseOf(Expr, [CaseBranch], otherwise: [Stmt]?)
            case forLoop(variable: Expr, from: Expr, to: Expr, by: Expr?, body: [Stmt])
            case whileLoop(Expr, [Stmt])
            case repeatLoop([Stmt], until: Expr)
            case exit
            case `continue`
            case `return`
        }

        let kind: Kind
        let location: SourceLocation

        init(_ kind: Kind, _ location: SourceLocation) {
            self.kind = kind
            self.location = location
        }
    }

    /// One branch of a CASE: its labels (values or ranges) and body.
    struct CaseBranch: Sendable {
        let labels: [(low: Expr, high: Expr?)]
        let body: [Stmt]
    }

    /// A type as written in a declaration.
    indirect enum TypeRef: Sendable {
        case named(String, SourceLocation)
        case string(length: Expr?, SourceLocation)
        case array(ranges: [(low: Expr, high: Expr)], of: TypeRef, SourceLocation)
        case pointer(TypeRef, SourceLocation)
        case reference(TypeRef, SourceLocation)

        var location: SourceLocation {
            switch self {
            case .named(_, let l), .string(_, let l), .array(_, _, let l), .pointer(_, let l), .reference(_, let l): l
            }
        }
    }

    /// The section a variable is declared in.
    enum Section: String, Sendable {
        case input = "VAR_INPUT", output = "VAR_OUTPUT", inOut = "VAR_IN_OUT", local = "VAR", temp = "VAR_TEMP"
        case global = "VAR_GLOBAL", stat = "VAR_STAT", external = "VAR_EXTERNAL"
    }

    /// One declared variable.
    struct Var: Sendable {
        let name: String
        let location: SourceLocation
        let type: TypeRef
        let initial: Expr?
        let section: Section
        let constant: Bool
        let comment: String
        /// Declared in a `VAR RETAIN` or `VAR PERSISTENT` section.
        var retain: RetainClass? = nil
    }

    /// A PROGRAM, FUNCTION_BLOCK or FUNCTION.
    struct POU: Sendable {
        enum Kind: String, Sendable { case program = "PROGRAM", functionBlock = "FUNCTION_BLOCK", function = "FUNCTION" }
        let kind: Kind
        let name: String
        let location: SourceLocation
        let returnType: TypeRef?
        /// The base function block of `FUNCTION_BLOCK X EXTENDS Base` (library stand-ins use it).
        let extends: String?
        let vars: [Var]
        let body: [Stmt]
    }

    /// A TYPE declaration: enumeration, structure or alias.
    struct TypeDecl: Sendable {
        enum Kind: Sendable {
            case enumeration([(name: String, value: Expr?, location: SourceLocation)], base: TypeRef?)
            case structure([Var])
            case alias(TypeRef)
        }
        let name: String
        let location: SourceLocation
        let kind: Kind
        /// `{attribute 'qualified_only'}`: values must be written `Type.Value`.
        var qualifiedOnly = false
        /// `{attribute 'strict'}`: only values of the enumeration itself may be assigned to it.
        var strict = false
    }

    /// A global variable list, named after its file (or the namespace of a library stand-in).
    struct GVL: Sendable {
        let name: String
        let location: SourceLocation
        let vars: [Var]
    }

    /// Everything declared in one file.
    struct File: Sendable {
        var pous: [POU] = []
        var types: [TypeDecl] = []
        var gvls: [GVL] = []
    }
}

extension AST.Expr.Kind {
    /// The expressions directly inside this one.
    var children: [AST.Expr] {
        switch self {
        case .integer, .real, .bool, .string, .duration, .dateTime, .name: []
        case .member(let e, _), .deref(let e), .unary(_, let e): [e]
        case .index(let e, let indexes): [e] + indexes
        case .binary(_, let a, let b): [a, b]
        case .call(let e, let args): [e] + args.map(\.value)
        case .arrayLiteral(let items): items.flatMap { [$0.count, $0.value].compactMap { $0 } }
        case .structLiteral(let items): items.map(\.value)
        }
    }
}
