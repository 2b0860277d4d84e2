/// A block that exchanges data with an I/O worker thread; the executor calls these around the program.
///
/// The scan itself never waits on a port or a disk: `readInputs` copies in what the worker finished
/// since the last scan (the input image), `execute` works on that copy, and `writeOutputs` hands new
/// requests to the worker (the output image).
public protocol IOBlock: FunctionBlock {
    /// Scan start: take the replies the worker finished since the last scan.
    func readInputs()
    /// Scan end: post the requests this scan made.
    func writeOutputs()
    /// Clean stop, after the last scan: hand over whatever must not be lost (pending rows, a last log line).
    func shutdown()
}

extension IOBlock {
    /// Blocks that only send (a log, a display) have no input image.
    public func readInputs() {}
    public func shutdown() {}
}
