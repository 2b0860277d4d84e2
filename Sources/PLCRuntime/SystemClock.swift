import Glibc
import PLCCore

/// The operating system's clocks: CLOCK_MONOTONIC for scans, CLOCK_REALTIME for time stamps.
///
/// `sleep(until:)` uses `clock_nanosleep` with TIMER_ABSTIME, so a period never drifts by the
/// time a scan took or by a late wake-up.
public final class SystemClock: PLCClock {
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
