/// What a block may know about "now": the one time stamp of the running scan.
///
/// Blocks never read a clock themselves; the executor (or a test) fills this in once per scan.
public struct ScanContext: Sendable {
    /// Monotonic scan time in milliseconds since the task started (IEC `TIME()`).
    public var time: Int64
    /// Wall-clock time of the scan start, in milliseconds since the Unix epoch (UTC).
    public var wallClock: Int64
    /// The number of the scan, starting at 0.
    public var cycle: UInt64
    /// The local time zone's offset from UTC at `wallClock`, in seconds east (Malaysia: 28800).
    public var utcOffset: Int32
    /// How long the scan may run, in ns (the task's watchdog x sensitivity; 0: no limit). Engines that
    /// can loop (the ST engine) abort a block's scan that runs past it.
    public var watchdog: Int64

    public init(time: Int64 = 0, wallClock: Int64 = 0, cycle: UInt64 = 0, utcOffset: Int32 = 0, watchdog: Int64 = 0) {
        self.time = time
        self.wallClock = wallClock
        self.cycle = cycle
        self.utcOffset = utcOffset
        self.watchdog = watchdog
    }

    /// Local wall-clock time in milliseconds since 1970-01-01 00:00 local time.
    public var localTime: Int64 { wallClock + Int64(utcOffset) * 1000 }
}
