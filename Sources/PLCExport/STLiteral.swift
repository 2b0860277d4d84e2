public import PLCCore

/// IEC literals as Codesys ST writes them: enumeration values qualified (`E_RegFormat.UINT32`).
public enum STLiteral {
    /// `value` of `type` as ST source text.
    public static func format(_ value: IECValue, as type: IECType) -> String {
        switch (type, value) {
        case (.enumeration(let e), .int(let v)) where e.cases.indices.contains(Int(v)):
            return "\(e.name).\(e.cases[Int(v)])"
        case (.array(let element, let count), .array(let items)):
            // Runs of equal values use IEC's repeat syntax: [16(TRUE)].
            var parts: [String] = []
            var i = 0
            while i < min(count, items.count) {
                var j = i
                while j + 1 < items.count && items[j + 1] == items[i] { j += 1 }
                let text = format(items[i], as: element)
                parts.append(j > i ? "\(j - i + 1)(\(text))" : text)
                i = j + 1
            }
            return "[" + parts.joined(separator: ", ") + "]"
        default:
            return IECLiteral.format(value, as: type)
        }
    }

    /// The ST declaration type of `type` (STRING gets Codesys's usual 255 characters).
    public static func typeName(_ type: IECType) -> String {
        switch type {
        case .string: "STRING(255)"
        default: type.name
        }
    }
}
