/// An IEC enumeration type: a name and its ordered case names, valued 0, 1, 2, ...
public struct IECEnumType: Hashable, Sendable {
    /// The type name, such as `E_WordOrder`.
    public let name: String
    /// The case names in value order.
    public let cases: [String]

    public init(_ name: String, cases: [String]) {
        self.name = name
        self.cases = cases
    }

    /// The value of a case named `text` (with or without the `Type.` prefix), case-insensitively.
    public func value(of text: String) -> Int64? {
        var caseName = Substring(text)
        if let dot = text.firstIndex(of: "."), text[..<dot].uppercased() == name.uppercased() {
            caseName = text[text.index(after: dot)...]
        }
        let upper = caseName.uppercased()
        return cases.firstIndex { $0.uppercased() == upper }.map(Int64.init)
    }
}
