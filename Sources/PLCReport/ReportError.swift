/// A problem with a report's input, printed as one line: `file:line: message` when it has a place.
public struct ReportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The whole line to print.
    public let description: String

    public init(_ message: String) { description = message }

    public init(file: String, line: Int, _ message: String) {
        description = "\(file):\(line): \(message)"
    }
}
