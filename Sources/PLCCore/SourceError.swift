/// A user mistake in a file or argument, located as `file:line: message`.
public struct SourceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (or argument name) the problem is in.
    public let file: String
    /// The 1-based line, or nil when the problem is not tied to one line.
    public let line: Int?
    /// What is wrong, in one line.
    public let message: String

    public init(file: String, line: Int?, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { "\(file):\(line): \(message)" } else { "\(file): \(message)" }
    }
}
