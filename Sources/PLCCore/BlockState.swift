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

/// A value that an object declares retained itself (ST's `VAR RETAIN` / `VAR PERSISTENT`), saved as
/// raw words and strings whose meaning only its owner knows.
public struct DeclaredRetain: Sendable {
    /// The path below the owner (`rSum`, `ctr.CV`).
    public let name: String
    /// The declared type, as text (`REAL`, `CTU`).
    public let type: String
    public let retain: RetainClass
    public let words: Int
    public let strings: Int

    public init(name: String, type: String, retain: RetainClass, words: Int, strings: Int) {
        self.name = name
        self.type = type
        self.retain = retain
        self.words = words
        self.strings = strings
    }
}

/// An object with retained variables of its own declaration: an ST function block or program.
public protocol RetainDeclaring: AnyObject {
    /// The retained values; `everything`: the whole object (a block instance marked `retain:`).
    func declaredRetain(everything: RetainClass?) -> [DeclaredRetain]
    /// Writes value `index` of `declaredRetain(everything:)` (same argument) into `words` and `strings`.
    func saveDeclared(_ index: Int, everything: RetainClass?, words: UnsafeMutablePointer<Int64>,
                      strings: UnsafeMutablePointer<String>)
    /// Restores what `saveDeclared` wrote.
    func restoreDeclared(_ index: Int, everything: RetainClass?, words: UnsafePointer<Int64>, strings: UnsafePointer<String>)
}
