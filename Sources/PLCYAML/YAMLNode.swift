/// One node of a composed YAML document (a scalar, a mapping or a sequence) with its source line.
/// Program files, block declarations and other file kinds (meter models) read their YAML as this.
public struct Node: Sendable {
    /// Where a node starts in its file; `line` counts from 1.
    public struct Mark: Sendable {
        public let line: Int
        public let column: Int
    }

    /// A single value with the text as written (tags are not resolved) and how it was quoted.
    public struct Scalar: Sendable {
        /// How a scalar was written; quotes matter to the program loader (a quoted wire is literal text).
        public enum Style: Sendable { case plain, singleQuoted, doubleQuoted, literal, folded }

        public let string: String
        public let style: Style
    }

    /// A mapping's entries in file order; keys are scalars (the composer refuses anything else).
    public struct Mapping: Sendable, Swift.Sequence {
        public let pairs: [(key: Node, value: Node)]

        public func makeIterator() -> IndexingIterator<[(key: Node, value: Node)]> { pairs.makeIterator() }

        /// The keys in file order.
        public var keys: [Node] { pairs.map(\.key) }

        /// The values in file order.
        public var values: [Node] { pairs.map(\.value) }

        /// The value under the scalar key `key`.
        public subscript(key: String) -> Node? {
            pairs.first { $0.key.scalar?.string == key }?.value
        }
    }

    /// What a node holds.
    public enum Kind: Sendable {
        case scalar(Scalar)
        case mapping(Mapping)
        case sequence([Node])
    }

    public let kind: Kind
    /// Where the node starts; nil for a node made in code.
    public let mark: Mark?

    public init(_ kind: Kind, mark: Mark?) {
        self.kind = kind
        self.mark = mark
    }

    /// A plain scalar with no position.
    public init(_ string: String) {
        self.init(.scalar(Scalar(string: string, style: .plain)), mark: nil)
    }

    /// The scalar, or nil for a mapping or a sequence.
    public var scalar: Scalar? {
        if case .scalar(let s) = kind { return s }
        return nil
    }

    /// The mapping, or nil for a scalar or a sequence.
    public var mapping: Mapping? {
        if case .mapping(let m) = kind { return m }
        return nil
    }

    /// The items of a sequence, or nil for a scalar or a mapping.
    public var sequence: [Node]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }
}
