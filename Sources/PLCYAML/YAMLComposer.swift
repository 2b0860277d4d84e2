import CLibYAML
import PLCCore

/// Builds a `Node` tree from libyaml's parser events, refusing documents that would cost far more
/// to use than their size suggests: an alias as a mapping key, more than `maxAliases` aliases, a
/// tree that aliases expand past `maxNodes` nodes, or nesting deeper than `maxDepth`.
struct YAMLComposer {
    /// Program and block files need few aliases (usually none); a document with more is refused.
    static let maxAliases = 100
    /// The most nodes aliases may add to a document, each alias counted as the tree it stands for
    /// (nodes written out in the text are not limited here: their cost is the file's size).
    static let maxNodes = 100_000
    /// The deepest nesting of mappings and sequences.
    static let maxDepth = 64

    let path: String

    /// An open collection, filled as its events arrive.
    private enum Frame {
        case sequence(mark: Node.Mark, anchor: String?, items: [Node], weight: Int)
        case mapping(mark: Node.Mark, anchor: String?, pairs: [(key: Node, value: Node)], key: Node?, keys: Set<String>, weight: Int)
    }

    /// The document's root node, or nil when the file holds no document.
    func compose(_ text: String) throws(SourceError) -> Node? {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            throw SourceError(file: path, line: nil, "cannot start the YAML parser (out of memory)")
        }
        defer { yaml_parser_delete(parser) }
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes = [0x0A] }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(SourceError) -> Node? in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            return try events(parser, buffer)
        }
    }

    private func events(_ parser: UnsafeMutablePointer<yaml_parser_t>, _ bytes: UnsafeBufferPointer<UInt8>) throws(SourceError) -> Node? {
        var stack: [Frame] = []
        var anchors: [String: (node: Node, weight: Int)] = [:]
        var aliases = 0
        var written = 0         // nodes written out in the text; the limit is on what aliases add to them
        var root: Node?
        var documents = 0
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(parser, &event) != 0 else { throw syntaxError(parser.pointee, bytes) }
            defer { yaml_event_delete(&event) }
            let mark = Node.Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            var done: (node: Node, weight: Int, anchor: String?, alias: Bool)?
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return root
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 { throw SourceError(file: path, line: mark.line, "a file holds one YAML document, this is a second one") }
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                let node = Node(.scalar(Node.Scalar(string: text, style: style(s.style))), mark: mark)
                done = (node, 1, string(s.anchor), false)
            case YAML_ALIAS_EVENT:
                let name = string(event.data.alias.anchor) ?? ""
                aliases += 1
                guard aliases <= Self.maxAliases else {
                    throw SourceError(file: path, line: mark.line, "too many YAML aliases (more than \(Self.maxAliases)); write the values out")
                }
                guard let target = anchors[name] else {
                    throw SourceError(file: path, line: mark.line, "YAML alias *\(name) names no anchor (&\(name)) defined before it")
                }
                done = (target.node, target.weight, nil, true)
            case YAML_SEQUENCE_START_EVENT:
                try checkDepth(stack.count, mark)
                stack.append(.sequence(mark: mark, anchor: string(event.data.sequence_start.anchor), items: [], weight: 1))
            case YAML_MAPPING_START_EVENT:
                try checkDepth(stack.count, mark)
                stack.append(.mapping(mark: mark, anchor: string(event.data.mapping_start.anchor), pairs: [], key: nil, keys: [], weight: 1))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                switch stack.removeLast() {
                case .sequence(let start, let anchor, let items, let weight):
                    done = (Node(.sequence(items), mark: start), weight, anchor, false)
                case .mapping(let start, let anchor, let pairs, _, _, let weight):
                    done = (Node(.mapping(Node.Mapping(pairs: pairs)), mark: start), weight, anchor, false)
                }
            default:
                break
            }
            guard let (node, weight, anchor, alias) = done else { continue }
            if !alias { written += 1 }
            let limit = Self.maxNodes + written
            if let anchor { anchors[anchor] = (node, weight) }
            guard let top = stack.popLast() else {
                root = node
                guard weight <= limit else { throw tooBig(mark) }
                continue
            }
            switch top {
            case .sequence(let start, let anchor, var items, let total):
                items.append(node)
                guard total + weight <= limit else { throw tooBig(mark) }
                stack.append(.sequence(mark: start, anchor: anchor, items: items, weight: total + weight))
            case .mapping(let start, let anchor, var pairs, let key, var keys, let total):
                guard total + weight <= limit else { throw tooBig(mark) }
                if let key {
                    pairs.append((key, node))
                    stack.append(.mapping(mark: start, anchor: anchor, pairs: pairs, key: nil, keys: keys, weight: total + weight))
                    continue
                }
                if alias {
                    throw SourceError(file: path, line: mark.line, "a YAML alias cannot be a mapping key; write the key out")
                }
                guard let text = node.scalar?.string else {
                    throw SourceError(file: path, line: node.mark?.line ?? mark.line, "a mapping key must be a single value, not a list or a mapping")
                }
                guard keys.insert(text).inserted else {
                    throw SourceError(file: path, line: node.mark?.line ?? mark.line, "YAML syntax error: a key appears twice in this mapping: \(text)")
                }
                stack.append(.mapping(mark: start, anchor: anchor, pairs: pairs, key: node, keys: keys, weight: total + weight))
            }
        }
    }

    private func checkDepth(_ depth: Int, _ mark: Node.Mark) throws(SourceError) {
        guard depth < Self.maxDepth else {
            throw SourceError(file: path, line: mark.line, "YAML nesting deeper than \(Self.maxDepth) levels")
        }
    }

    private func tooBig(_ mark: Node.Mark) -> SourceError {
        SourceError(file: path, line: mark.line, "YAML aliases expand this document past \(Self.maxNodes) nodes; write the values out")
    }

    private func syntaxError(_ parser: yaml_parser_t, _ bytes: UnsafeBufferPointer<UInt8>) -> SourceError {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        let context = parser.context.map { String(cString: $0) + ": " } ?? ""
        var line = Int(parser.problem_mark.line) + 1
        if parser.error == YAML_READER_ERROR {
            // The reader (encoding, control characters) gives a byte offset instead of a mark.
            line = 1 + bytes.prefix(min(Int(parser.problem_offset), bytes.count)).count { $0 == 0x0A }
        }
        return SourceError(file: path, line: line, "YAML syntax error: \(context)\(problem)")
    }

    private func string(_ bytes: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        bytes.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    private func style(_ style: yaml_scalar_style_t) -> Node.Scalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }
}
