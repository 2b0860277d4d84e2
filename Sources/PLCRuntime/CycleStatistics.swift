/// Cycle-time and start-jitter statistics of a cyclic task, recorded without allocating.
public struct CycleStatistics: Sendable {
    /// Jitter histogram resolution and range: 10 µs buckets up to 1 s; later starts go in the last one.
    static let bucketNs: Int64 = 10_000
    static let bucketCount = 100_000

    public private(set) var cycles: UInt64 = 0
    /// Execution time of the last, shortest, longest scan, and the total, in ns.
    public private(set) var last: Int64 = 0
    public private(set) var min: Int64 = .max
    public private(set) var max: Int64 = 0
    public private(set) var total: Int64 = 0
    /// Start jitter (actual start minus scheduled start) of the last scan and the worst one, in ns.
    public private(set) var lastJitter: Int64 = 0
    public private(set) var maxJitter: Int64 = 0
    /// Scans that ended after the next one was due.
    public private(set) var overruns: UInt64 = 0
    /// Scheduled starts that were skipped after overruns (policy `skip`).
    public private(set) var skipped: UInt64 = 0
    /// Watchdog trips.
    public private(set) var watchdogTrips: UInt64 = 0
    private var jitterHistogram: [UInt32]

    public init() {
        jitterHistogram = Array(repeating: 0, count: Self.bucketCount)
    }

    /// The mean execution time in ns.
    public var average: Int64 { cycles == 0 ? 0 : total / Int64(cycles) }

    mutating func record(duration: Int64, jitter: Int64) {
        cycles += 1
        last = duration
        min = Swift.min(min, duration)
        max = Swift.max(max, duration)
        total += duration
        lastJitter = jitter
        maxJitter = Swift.max(maxJitter, jitter)
        let bucket = Int(Swift.min(Swift.max(jitter, 0) / Self.bucketNs, Int64(Self.bucketCount - 1)))
        jitterHistogram[bucket] &+= 1
    }

    mutating func recordOverrun(skipping missed: UInt64) {
        overruns += 1
        skipped += missed
    }

    mutating func recordWatchdogTrip() {
        watchdogTrips += 1
    }

    /// The start jitter below which `fraction` (0...1) of scans started, in ns (bucket upper bound).
    public func jitterPercentile(_ fraction: Double) -> Int64 {
        guard cycles > 0 else { return 0 }
        let wanted = UInt64((Double(cycles) * fraction).rounded(.up))
        var seen: UInt64 = 0
        for (bucket, count) in jitterHistogram.enumerated() {
            seen += UInt64(count)
            if seen >= wanted { return Int64(bucket + 1) * Self.bucketNs }
        }
        return maxJitter
    }

    /// A readable summary, one item per line.
    public func summary(interval: Int64) -> String {
        func ms(_ ns: Int64) -> String {
            let v = Double(ns) / 1_000_000
            return v < 10 ? String(Int((v * 1000).rounded())) + " µs" : String(Int(v.rounded())) + " ms"
        }
        guard cycles > 0 else { return "no scans ran" }
        return """
            scans        \(cycles) at T#\(interval)ms
            cycle time   last \(ms(last)), min \(ms(min)), avg \(ms(average)), max \(ms(max))
            start jitter p50 \(ms(jitterPercentile(0.5))), p99 \(ms(jitterPercentile(0.99))), max \(ms(maxJitter))
            overruns     \(overruns) (\(skipped) scans skipped)
            watchdog     \(watchdogTrips) trips
            """
    }
}
