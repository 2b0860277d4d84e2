/// What a logged-in user may do on a running program, as in Codesys's user management.
public enum Role: String, CaseIterable, Sendable, Comparable {
    /// Reads every page and value (what anybody may do without a login, too).
    case viewer
    /// Writes and forces the variables a program marks `online: write`.
    case `operator`
    /// Writes and forces anything, and loads an online change.
    case engineer

    /// What a request asks to do.
    public enum Action: Sendable {
        /// Write or force (or unforce) a variable; `markedWritable` when the program marks it `online: write`.
        case write(markedWritable: Bool)
        /// Load an edited program into the running one.
        case onlineChange
    }

    /// Whether this role may do `action`.
    public func permits(_ action: Action) -> Bool {
        switch action {
        case .write(let marked): self == .engineer || (self == .operator && marked)
        case .onlineChange: self == .engineer
        }
    }

    private var rank: Int { Role.allCases.firstIndex(of: self)! }
    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}
