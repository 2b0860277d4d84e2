/// Where the executor gets time from: the seam that lets tests replace the system clock.
public protocol PLCClock: AnyObject {
    /// Monotonic time in nanoseconds (any origin, never goes back).
    func now() -> Int64
    /// Wall-clock time in milliseconds since the Unix epoch (UTC).
    func wallClock() -> Int64
    /// Returns once `now()` has reached `deadline` (an absolute monotonic time in ns).
    func sleep(until deadline: Int64)
    /// The local time zone's offset from UTC at wall time `wallClock` (ms), in seconds east.
    func utcOffset(at wallClock: Int64) -> Int32
}
