public import PLCCore

/// The program loader's YAML reading for other file kinds (meter models): one composer, one set
/// of `file:line` syntax errors, and whatever limits the loader puts on hostile documents.
public enum YAMLSource {
    /// Composes `text` (read from `path`) into a node tree; a syntax error names its line.
    public static func compose(_ text: String, path: String) throws(SourceError) -> Node {
        try YAMLReader(path: path).compose(text)
    }

    /// Composes `text`, or nil when it holds no document (empty, or comments only).
    public static func composeIfAny(_ text: String, path: String) throws(SourceError) -> Node? {
        try YAMLComposer(path: path).compose(text)
    }
}
