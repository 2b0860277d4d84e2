/// Where a setting or value came from: a line of a file, a command-line argument, or the runtime itself.
public enum SourceOrigin: Sendable, Hashable {
    /// Line `n` (1-based) of the file being read.
    case line(Int)
    /// A command-line argument, as typed (`--set bus.device=/dev/ttyUSB1`).
    case argument(String)
    /// Set by the runtime, for the reason given (`--simulate`).
    case runtime(String)

    /// The line, when the origin is a file line.
    public var line: Int? {
        if case .line(let n) = self { return n }
        return nil
    }

    /// An error located at this origin: `file:line: message` for a file line, else `argument: message`.
    public func error(file: String, _ message: String) -> SourceError {
        switch self {
        case .line(let n): SourceError(file: file, line: n, message)
        case .argument(let text): SourceError(file: text, line: nil, message)
        case .runtime(let reason): SourceError(file: reason, line: nil, message)
        }
    }
}
