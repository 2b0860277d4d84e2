public import PLCCore
public import PLCGraph

/// What a cyclic task runs once per period: a compiled FBD program, an ST program in the engine.
public protocol Scannable: AnyObject {
    /// Copies in what the I/O workers finished since the last scan (the input image).
    func readInputs()
    /// Runs the program once.
    func scan(_ context: ScanContext)
    /// Hands new requests to the I/O workers (the output image).
    func writeOutputs()
}

extension Scannable {
    public func readInputs() {}
    public func writeOutputs() {}
}

// `readInputs` and `writeOutputs` live in PLCGraph, beside `ioBlocks`: another module's access to
// the list goes through the runtime's dynamic exclusivity check (swift_beginAccess) whatever the
// property declares, twice a scan.
extension CompiledProgram: Scannable {}

/// A Codesys-style cyclic task: it runs a program (anything `Scannable`) at a fixed period on absolute deadlines.
///
/// Each scan reads as its steps: wait for the deadline, stamp the scan with one time, copy the
/// input image in, run the program, hand the output image to the I/O workers, record statistics.
public final class CyclicTask<Clock: PLCClock> {
    /// What the task runs.
    public let program: any Scannable
    public let settings: ProgramFile.Task
    public let clock: Clock
    // The scan thread's own state: `@exclusivity(unchecked)` spares each scan the runtime's dynamic
    // exclusivity checks (swift_beginAccess, a thread-local access set): a task is one thread's.
    @exclusivity(unchecked) public private(set) var statistics = CycleStatistics()
    /// Called when the watchdog trips, with the scan's execution time in ns. The task keeps running.
    @exclusivity(unchecked) public var onWatchdog: ((Int64) -> Void)?
    /// Called once per wall-clock step of more than a second (NTP, an operator, a DST change of
    /// the UTC offset is not one), with the step in ms (negative: back) and the scan's local time,
    /// on the scan thread before the scan runs.
    @exclusivity(unchecked) public var onClockStep: ((_ step: Int64, _ localTime: Int64) -> Void)?
    @exclusivity(unchecked) private var lastWall: (monotonic: Int64, wall: Int64)?

    private let interval: Int64
    /// The watchdog's limit for one scan in ns (0: off), handed to the blocks in the scan's context.
    private let scanBudget: Int64
    private let origin: Int64
    @exclusivity(unchecked) private var nextStart: Int64
    @exclusivity(unchecked) private var slowScansInARow = 0
    @exclusivity(unchecked) private var lastStart: Int64 = 0

    /// A task whose first scan is due now.
    public init(program: any Scannable, settings: ProgramFile.Task, clock: Clock) {
        self.program = program
        self.settings = settings
        self.clock = clock
        interval = settings.interval * 1_000_000
        scanBudget = settings.watchdog * 1_000_000 * Int64(max(1, settings.sensitivity))
        origin = clock.now()
        nextStart = origin
    }

    /// Waits for the next deadline, then runs one scan.
    public func step() {
        clock.sleep(until: nextStart)
        scan()
    }

    /// Runs scans until `shouldStop` returns true (checked before each wait) or `cycles` scans ran;
    /// `afterScan` is called after every scan, outside the measured scan time.
    public func run(cycles: UInt64? = nil, shouldStop: () -> Bool = { false }, afterScan: () -> Void = {}) {
        var ran: UInt64 = 0
        while !shouldStop(), cycles.map({ ran < $0 }) ?? true {
            step()
            afterScan()
            ran += 1
        }
    }

    /// The scan time of the last scan in ms since the task started (the `t_ms` of monitoring).
    public var elapsedMilliseconds: Int64 { (lastStart - origin) / 1_000_000 }

    private func scan() {
        let start = clock.now()
        lastStart = start
        let wall = clock.wallClock()
        let context = ScanContext(time: (start - origin) / 1_000_000, wallClock: wall, cycle: statistics.cycles,
                                  utcOffset: clock.utcOffset(at: wall), watchdog: scanBudget)
        // The wall clock should move as the monotonic one does; a difference is a step.
        if let last = lastWall {
            let step = wall - (last.wall + (start - last.monotonic) / 1_000_000)
            if abs(step) > 1000 { onClockStep?(step, context.localTime) }
        }
        lastWall = (start, wall)
        program.readInputs()
        program.scan(context)
        program.writeOutputs()
        let end = clock.now()
        statistics.record(duration: end - start, jitter: start - nextStart)
        checkWatchdog(end - start)
        schedule(after: end)
    }

    private func schedule(after end: Int64) {
        nextStart += interval
        guard end > nextStart else { return }
        switch settings.overrun {
        case .skip:
            let missed = (end - nextStart) / interval + 1
            nextStart += missed * interval
            statistics.recordOverrun(skipping: UInt64(missed))
        case .catchUp:
            statistics.recordOverrun(skipping: 0)
        }
    }

    private func checkWatchdog(_ duration: Int64) {
        guard settings.watchdog > 0 else { return }
        let limit = settings.watchdog * 1_000_000
        slowScansInARow = duration > limit ? slowScansInARow + 1 : 0
        if duration > limit * Int64(settings.sensitivity) || slowScansInARow >= settings.sensitivity {
            slowScansInARow = 0
            statistics.recordWatchdogTrip()
            onWatchdog?(duration)
        }
    }
}
