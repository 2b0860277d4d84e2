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

    public init(_ scope: Scope, _ name: String, _ type: IECType, initial: IECValue? = nil, comment: String = "") {
        self.scope = scope
        self.name = name
        self.type = type
        self.initial = initial ?? type.defaultValue
        self.comment = comment
    }

    /// A VAR_INPUT row.
    public static func input(_ name: String, _ type: IECType, _ initial: IECValue? = nil,
                             _ comment: String = "") -> VarDecl {
        VarDecl(.input, name, type, initial: initial, comment: comment)
    }

    /// A VAR_OUTPUT row.
    public static func output(_ name: String, _ type: IECType, _ initial: IECValue? = nil,
                              _ comment: String = "") -> VarDecl {
        VarDecl(.output, name, type, initial: initial, comment: comment)
    }
}
