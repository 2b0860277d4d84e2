/// A problem with an IEC literal, type or name, without knowing which file it came from.
public struct IECError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, in one line.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
