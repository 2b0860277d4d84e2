package import PLCCore

/// Helpers for reading a composed YAML tree with line numbers for error messages.
package struct YAMLReader {
    package let path: String

    package init(path: String) { self.path = path }

    /// Composes `text` into a node tree (libyaml through `YAMLComposer`); a YAML syntax error or an
    /// alias-heavy document becomes a `SourceError` with its line.
    package func compose(_ text: String) throws(SourceError) -> Node {
        guard let node = try YAMLComposer(path: path).compose(text) else {
            throw SourceError(file: path, line: nil, "file is empty")
        }
        return node
    }

    package func error(_ node: Node?, _ message: String) -> SourceError {
        SourceError(file: path, line: node.map(line), message)
    }

    package func line(_ node: Node) -> Int { (node.mark?.line ?? 0) }

    /// The mapping at `node`, with keys as strings, or an error naming `what`.
    package func mapping(_ node: Node, _ what: String) throws(SourceError) -> [(key: Node, value: Node)] {
        guard let map = node.mapping else { throw error(node, "\(what) must be a mapping (key: value)") }
        return map.map { ($0.key, $0.value) }
    }

    package func sequence(_ node: Node, _ what: String) throws(SourceError) -> [Node] {
        guard let seq = node.sequence else { throw error(node, "\(what) must be a list (- item)") }
        return Array(seq)
    }

    /// The scalar text at `node`, or an error naming `what`.
    package func scalar(_ node: Node, _ what: String) throws(SourceError) -> String {
        guard let s = node.scalar else { throw error(node, "\(what) must be a single value") }
        return s.string
    }

    /// Checks that `node`'s keys are all in `allowed`; an unknown key is usually a typo.
    package func checkKeys(_ node: Node, _ allowed: Set<String>, _ what: String) throws(SourceError) {
        for (key, _) in try mapping(node, what) {
            let k = try scalar(key, "key")
            guard allowed.contains(k) else {
                throw error(key, "unknown key '\(k)' in \(what) (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
    }

    package func value(_ node: Node, _ key: String) -> Node? {
        node.mapping?[key]
    }
}
