/// A position in an ST source file: 1-based line and column.
public struct SourceLocation: Hashable, Sendable {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
}

/// One problem found in ST source, printed as `file:line:col: message`.
public struct STDiagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public let location: SourceLocation
    public let message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String {
        "\(location.file):\(location.line):\(location.column): \(message)"
    }
}

/// Every diagnostic of a failed load, in file and line order.
public struct STErrors: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [STDiagnostic]

    public init(_ diagnostics: [STDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
