import Glibc

extension String {
    /// `format` filled in by the C library's `vsnprintf` (C locale: a point for decimals): the text
    /// Foundation's `String(format:)` gives for numeric conversions (`%d`, `%x`, `%.2f`, widths,
    /// `%%`), without linking full Foundation. No `%@`; an `Int` goes with `%ld`.
    public init(printf format: String, _ arguments: any CVarArg...) {
        let needed = withVaList(arguments) { vsnprintf(nil, 0, format, $0) }
        guard needed > 0 else {
            self = ""
            return
        }
        var buffer = [CChar](repeating: 0, count: Int(needed) + 1)
        _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        self = String(decoding: buffer.prefix(Int(needed)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
