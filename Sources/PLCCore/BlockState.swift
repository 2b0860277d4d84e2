/// Whether a variable or block instance keeps its value across restarts (Codesys's RETAIN and PERSISTENT).
public enum RetainClass: String, Sendable, Hashable, CaseIterable {
    /// Survives a restart and a crash (warm start); cleared by a cold or origin reset and when the
    /// program's set of retain variables changes.
    case retain = "RETAIN"
    /// Also survives program changes (matched by instance path and type); cleared only by an origin reset.
    case persistent = "PERSISTENT"
}

/// A block whose state goes beyond its pins (a timer's start, an edge's memory): it saves and restores
/// that state as a few typed words, so a retain instance keeps all of itself across a restart.
///
/// Words are raw 64-bit cells in the order of `hiddenState`; BOOL is 0 or 1, TIME is ms. A time
/// stamp is saved relative to `now` (the saving scan's time) and restored relative to the time of
/// the first scan after the restart, so a timer keeps its elapsed time, not a stale start time.
/// Both calls run on the task's thread, outside `execute`, and allocate nothing.
public protocol StatefulBlock: FunctionBlock {
    /// The hidden variables, named and typed, in word order.
    static var hiddenState: [VarDecl] { get }
    /// Writes `hiddenState.count` words describing the block at scan time `now` (ms).
    func saveState(now: Int64, into words: UnsafeMutablePointer<Int64>)
    /// Restores the words `saveState` wrote; the next scan runs at time `now` (ms).
    func restoreState(now: Int64, from words: UnsafePointer<Int64>)
}

extension StatefulBlock {
    /// A BOOL as a state word.
    @inlinable public static func word(_ flag: Bool) -> Int64 { flag ? 1 : 0 }
}
