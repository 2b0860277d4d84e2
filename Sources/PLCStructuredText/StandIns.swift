/// Declarations of the Codesys libraries the twins use (ModbusFB, CAA File, SysTimeRtc), with their
/// documented signatures, so that a call Codesys would reject is rejected here too.
enum StandIns {
    /// (namespace, source) pairs; a nil namespace puts the POUs at top level (SysTimeRtc has none).
    static let sources: [(String?, String)] = []

    /// Swift bodies of stand-ins that do something, by upper-cased qualified name.
    static let native: [String: NativeBody] = [:]
}
