import PLCCore
import Synchronization

/// The Energy page's figures (totals and heatmap), computed at most once a minute per set of
/// sources and shared by every client: 32 browsers polling /energy read the CSV files once, not
/// 32 times, and hold one copy of the result. A request that finds the figures old computes them
/// while the others wait for that one result.
final class EnergyPageCache: Sendable {
    struct Figures: Sendable {
        let totals: [EnergyTotals]
        let heatmap: String?
    }

    private struct Entry: Sendable {
        let sources: [EnergySource]
        let at: Int64
        let figures: Figures
    }

    private let entry = Mutex<Entry?>(nil)
    private let maxAgeNs: Int64

    init(maxAgeNs: Int64 = 60_000_000_000) {
        self.maxAgeNs = maxAgeNs
    }

    /// The figures of `sources`, from the cache when they are younger than a minute.
    func figures(_ sources: [EnergySource], now: Int64 = MonotonicTime.nanoseconds(),
                 compute: ([EnergySource]) -> Figures) -> Figures {
        entry.withLock { entry in
            if let cached = entry, cached.sources == sources, now - cached.at < maxAgeNs { return cached.figures }
            let figures = compute(sources)
            entry = Entry(sources: sources, at: now, figures: figures)
            return figures
        }
    }
}
