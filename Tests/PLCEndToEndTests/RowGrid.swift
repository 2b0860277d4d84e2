/// Checks that a logger's rows keep a one-second grid: consecutive rows one second apart, never twice
/// on one second.
///
/// A row that the program never made is a gap; `plc run` misses a grid point only when its scans
/// themselves were late by most of a second (the logger's pulse fires once for every scan that
/// crosses a second, as a Codesys task's would). On this shared 2-core machine a run can be
/// descheduled that long while the whole suite runs: a gap is then explained by the run's own
/// statistics (the summary it prints at stop), and any other gap, or a repeat, is reported.
enum RowGrid {
    /// The longest scan start delay or scan duration in the statistics `plc run` printed at stop,
    /// in milliseconds; nil when there is no summary.
    static func longestStall(_ stderr: [String]) -> Double? {
        var longest: Double?
        for line in stderr where line.hasPrefix("start jitter") || line.hasPrefix("cycle time") {
            guard let range = line.range(of: "max ", options: .backwards) else { continue }
            let words = line[range.upperBound...].split(separator: " ")
            guard words.count >= 2, let value = Double(words[0]) else { continue }
            let ms = words[1].hasPrefix("ms") ? value : value / 1000
            longest = max(longest ?? 0, ms)
        }
        return longest
    }

    /// The pairs of consecutive rows (by their seconds) that break the grid, with why, given the
    /// run's standard error. Empty when every step is one second, or a longer step is explained
    /// by a scan stall of at least the missed seconds (less one scan period of slack).
    static func breaks(_ rows: some Sequence<String>, stderr: [String]) -> [String] {
        let seconds = rows.compactMap { Int($0.dropFirst(17).prefix(2)) }
        let stall = longestStall(stderr) ?? 0
        var found: [String] = []
        for (a, b) in zip(seconds, seconds.dropFirst()) {
            let step = (b - a + 60) % 60
            if step == 1 { continue }
            if step == 0 {
                found.append("second \(a) twice")
            } else if stall < Double(step - 1) * 1000 - 200 {
                found.append("second \(a) to \(b): \(step - 1) missing, while the longest scan stall was \(Int(stall)) ms")
            }
        }
        return found
    }
}
