extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (Unicode category Zs and U+0009): what
    /// Foundation's `trimmingCharacters(in: .whitespaces)` gives, without linking full Foundation.
    public func trimmingSpaces() -> String { trimming(where: { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }) }

    /// The text without leading and trailing spaces, tabs and line breaks: Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`.
    public func trimmingSpacesAndNewlines() -> String {
        trimming(where: { scalar in
            switch scalar.value {
            case 0x09...0x0D, 0x85, 0x2028, 0x2029: true
            default: scalar.properties.generalCategory == .spaceSeparator
            }
        })
    }

    /// The text without the leading and trailing characters (Unicode scalars) for which `drop` is true.
    public func trimming(where drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop($0) })!
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[first...last])
        return String(kept)
    }
}

extension String {
    /// The text cut or filled with spaces to `length` characters: Foundation's
    /// `padding(toLength:withPad: " ", startingAt: 0)` for table columns.
    public func paddingSpaces(toLength length: Int) -> String {
        count >= length ? String(prefix(length)) : self + String(repeating: " ", count: length - count)
    }
}

extension String {
    /// The text with every occurrence of `target` replaced, matched byte for byte (UTF-8), left to
    /// right: Foundation's literal `replacingOccurrences(of:with:)`. Unlike the standard library's
    /// `replacing`, which compares Characters, a `"` followed by a combining mark is still a `"`.
    public func replacingEvery(_ target: String, with replacement: String) -> String {
        let pattern = Array(target.utf8)
        guard let first = pattern.first, utf8.contains(first) else { return self }
        let bytes = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == first, i + pattern.count <= bytes.count, bytes[i..<(i + pattern.count)].elementsEqual(pattern) {
                out += replacement.utf8
                i += pattern.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
