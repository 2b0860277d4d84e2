import Glibc

/// CLOCK_MONOTONIC, the one reading of it that the executor, the bus workers and the writer share.
public enum MonotonicTime {
    /// Monotonic time in nanoseconds (any origin, never goes back).
    public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Monotonic time in milliseconds.
    public static func milliseconds() -> Int64 { nanoseconds() / 1_000_000 }
}
