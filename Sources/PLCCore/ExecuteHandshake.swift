/// The Codesys/PLCopen *execute* behaviour of an asynchronous block, in one place.
///
/// A rising `xExecute` starts one job (`busy`); a rising edge while busy is ignored. When the job
/// ends, exactly one of `done` or `error` is TRUE, held while `xExecute` stays TRUE, or for one
/// call if `xExecute` already went FALSE.
public struct ExecuteHandshake: Sendable {
    public private(set) var done = false
    public private(set) var busy = false
    public private(set) var error = false
    private var previousExecute = false
    private var resultShown = false
    private var finishedThisCall = false

    public init() {}

    /// First step of a call: a result already shown is cleared once `execute` is FALSE.
    public mutating func clearShownResult(execute: Bool) {
        guard resultShown && !execute else { return }
        done = false
        error = false
        resultShown = false
    }

    /// The running job ended: it succeeded, or failed.
    public mutating func finish(failed: Bool) {
        busy = false
        resultShown = true
        finishedThisCall = true
        if failed { error = true } else { done = true }
    }

    /// Last step of a call: true when this call's rising edge starts a new job (now busy).
    public mutating func startsJob(execute: Bool) -> Bool {
        defer {
            previousExecute = execute
            finishedThisCall = false
        }
        // A job that ended in this call shows its result for this call at least: a rising edge
        // in the same call is ignored like one while busy (else a reply that takes exactly one
        // poll period would never show xDone or xError).
        guard execute && !previousExecute && !busy && !finishedThisCall else { return false }
        done = false
        error = false
        resultShown = false
        busy = true
        return true
    }
}
