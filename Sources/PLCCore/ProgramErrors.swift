
/// Every problem found in a program file, each as `file:line: message`, in line order.
public struct ProgramErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [SourceError]

    public init(_ errors: [SourceError]) {
        self.errors = errors.sorted { ($0.line ?? 0) < ($1.line ?? 0) }
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
