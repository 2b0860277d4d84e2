import Glibc
import PLCCore

/// The operating system's clocks: CLOCK_MONOTONIC for scans, CLOCK_REALTIME for time stamps.
///
/// `sleep(until:)` uses `clock_nanosleep` with TIMER_ABSTIME, so a period never drifts by the
/// time a scan took or by a late wake-up.
///
/// The UTC offset is looked up once per wall-clock minute: time zone and daylight-saving changes
/// happen on whole minutes, so the cached value is exact, and a scan saves a `localtime_r`.
public final class SystemClock: PLCClock {
    private var offsetMinute = Int64.min
    private var offset: Int32 = 0

    public init() {}

    public func now() -> Int64 {
        MonotonicTime.nanoseconds()
    }

    public func wallClock() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    public func utcOffset(at wallClock: Int64) -> Int32 {
        let minute = wallClock >= 0 ? wallClock / 60_000 : (wallClock - 59_999) / 60_000
        if minute != offsetMinute {
            offsetMinute = minute
            offset = Self.lookUpOffset(at: wallClock)
        }
        return offset
    }

    /// The offset the C library's time zone rules give at `wallClock` (ms).
    static func lookUpOffset(at wallClock: Int64) -> Int32 {
        var seconds = time_t(wallClock / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return Int32(parts.tm_gmtoff)
    }

    public func sleep(until deadline: Int64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        // EINTR (a signal arrived): sleep again for what is left; the deadline is absolute.
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }
}
