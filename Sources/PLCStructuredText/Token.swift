/// A lexical token of Structured Text with where it starts.
struct Token: Sendable {
    enum Kind: Equatable, Sendable {
        case identifier(String)
        /// A keyword, upper-cased (`IF`, `END_IF`, `AND`, ...).
        case keyword(String)
        /// An integer literal, optionally typed (`INT#5`, `16#FF`).
        case integer(Int64, type: String?)
        case real(Double, type: String?)
        /// A duration literal in nanoseconds; `long` for `LTIME#`.
        case duration(Int64, long: Bool)
        /// `DT#`, `DATE#`, `TOD#` literals: seconds (DT, DATE) or milliseconds (TOD) and the type name.
        case dateTime(Int64, type: String)
        case string(String)
        /// A punctuation or operator symbol (`:=`, `=>`, `..`, `<=`, `(`, ...).
        case symbol(String)
        case end
    }

    let kind: Kind
    let location: SourceLocation

    /// The identifier's text, upper-cased keywords included (for names such as `Q` or `IN`).
    var text: String {
        switch kind {
        case .identifier(let s), .keyword(let s), .symbol(let s): s
        case .integer(let v, _): String(v)
        case .real(let v, _): String(v)
        case .string(let s): "'\(s)'"
        case .duration: "duration literal"
        case .dateTime(_, let t): "\(t) literal"
        case .end: "end of file"
        }
    }
}
