/// One node of a composed YAML document (a scalar, a mapping or a sequence) with its source line.
struct Node: Sendable {
    /// Where a node starts in its file; `line` counts from 1.
    struct Mark: Sendable {
        let line: Int
        let column: Int
    }

    /// A single value with the text as written (tags are not resolved) and how it was quoted.
    struct Scalar: Sendable {
        /// How a scalar was written; quotes matter to the program loader (a quoted wire is literal text).
        enum Style: Sendable { case plain, singleQuoted, doubleQuoted, literal, folded }

        let string: String
        let style: Style
    }

    /// A mapping's entries in file order; keys are scalars (the composer refuses anything else).
    struct Mapping: Sendable, Swift.Sequence {
        let pairs: [(key: Node, value: Node)]

        func makeIterator() -> IndexingIterator<[(key: Node, value: Node)]> { pairs.makeIterator() }

        /// The value under the scalar key `key`.
        subscript(key: String) -> Node? {
            pairs.first { $0.key.scalar?.string == key }?.value
        }
    }

    enum Kind: Sendable {
        case scalar(Scalar)
        case mapping(Mapping)
        case sequence([Node])
    }

    let kind: Kind
    let mark: Mark?

    init(_ kind: Kind, mark: Mark?) {
        self.kind = kind
        self.mark = mark
    }

    /// A plain scalar with no position.
    init(_ string: String) {
        self.init(.scalar(Scalar(string: string, style: .plain)), mark: nil)
    }

    var scalar: Scalar? {
        if case .scalar(let s) = kind { return s }
        return nil
    }

    var mapping: Mapping? {
        if case .mapping(let m) = kind { return m }
        return nil
    }

    var sequence: [Node]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }
}
