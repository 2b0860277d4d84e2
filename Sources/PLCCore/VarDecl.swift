/// One row of a variable table: scope, name, IEC type, initial value and comment.
public struct VarDecl: Hashable, Sendable {
    /// The declaration section a variable belongs to.
    public enum Scope: String, Hashable, Sendable, CaseIterable {
        case input = "VAR_INPUT"
        case output = "VAR_OUTPUT"
        case local = "VAR"
        case global = "VAR_GLOBAL"
    }

    public let scope: Scope
    public let name: String
    public let type: IECType
    public let initial: IECValue
    public let comment: String
    /// For an input: a program must wire it (a block without it means nothing, like TON without IN).
    public let required: Bool

    public init(_ scope: Scope, _ name: String, _ type: IECType, initial: IECValue? = nil, comment: String = "",
                required: Bool = false) {
        self.scope = scope
        self.name = name
        self.type = type
        self.initial = initial ?? type.defaultValue
        self.comment = comment
        self.required = required
    }

    /// A VAR_INPUT row.
    public static func input(_ name: String, _ type: IECType, _ initial: IECValue? = nil,
                             _ comment: String = "") -> VarDecl {
        VarDecl(.input, name, type, initial: initial, comment: comment)
    }

    /// A VAR_INPUT row that a program must wire.
    public static func required(_ name: String, _ type: IECType, _ comment: String = "") -> VarDecl {
        VarDecl(.input, name, type, comment: comment, required: true)
    }

    /// A VAR_OUTPUT row.
    public static func output(_ name: String, _ type: IECType, _ initial: IECValue? = nil,
                              _ comment: String = "") -> VarDecl {
        VarDecl(.output, name, type, initial: initial, comment: comment)
    }
}
