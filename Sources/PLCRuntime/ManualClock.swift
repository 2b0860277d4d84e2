/// A clock that moves only when told: tests drive the executor scan by scan without sleeping.
///
/// `sleep(until:)` jumps straight to the deadline. A block can call `advance(by:)` during a scan to
/// make that scan take time (to provoke overruns and watchdog trips).
public final class ManualClock: PLCClock {
    /// Monotonic time in ns.
    public private(set) var nanoseconds: Int64
    /// Wall-clock origin in ms since the epoch; wall time moves with the monotonic time.
    public let wallOrigin: Int64
    /// Every deadline the executor slept until, in order.
    public private(set) var sleeps: [Int64] = []
    /// The time zone offset this clock reports, in seconds east of UTC.
    public var offset: Int32

    public init(start: Int64 = 0, wallOrigin: Int64 = 1_767_225_600_000, utcOffset: Int32 = 0) {
        nanoseconds = start
        self.wallOrigin = wallOrigin
        offset = utcOffset
    }

    public func utcOffset(at wallClock: Int64) -> Int32 { offset }

    public func now() -> Int64 { nanoseconds }

    public func wallClock() -> Int64 { wallOrigin + wallStep + nanoseconds / 1_000_000 }

    /// The sum of every wall-clock step so far, in ms.
    public private(set) var wallStep: Int64 = 0

    /// Steps the wall clock by `ms` (negative: back), as NTP or an operator would; monotonic time does not move.
    public func stepWall(ms: Int64) {
        wallStep += ms
    }

    /// False: `sleeps` stays empty (a long soak would otherwise grow it by one entry per scan).
    public var recordsSleeps = true

    public func sleep(until deadline: Int64) {
        if recordsSleeps { sleeps.append(deadline) }
        nanoseconds = max(nanoseconds, deadline)
    }

    /// Moves time forward by `ns` nanoseconds.
    public func advance(by ns: Int64) {
        nanoseconds += ns
    }

    /// Moves time forward by `ms` milliseconds.
    public func advance(ms: Int64) {
        nanoseconds += ms * 1_000_000
    }
}
