import Dispatch
import Foundation
@testable import PLCHttp
import Synchronization
import Testing

/// /energy under many clients: the figures are computed once and shared (issue 26, defect 7).
@Suite("Energy page cache")
struct EnergyPageCacheTests {
    final class Calls: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test("32 clients at once compute the figures once; a minute later, or for other sources, again")
    func oneComputation() {
        let cache = EnergyPageCache()
        let calls = Calls()
        let sources = [EnergySource(location: "Office", folder: "csv", prefix: "energy", column: "total_real_energy")]
        let compute: @Sendable ([EnergySource]) -> EnergyPageCache.Figures = { sources in
            calls.count.add(1, ordering: .relaxed)
            usleep(50_000)                                         // reading the files takes a while
            return .init(totals: sources.map { EnergyTotals(location: $0.location, today: 1, month: 2, days: []) }, heatmap: nil)
        }
        let now: Int64 = 1_000_000_000
        DispatchQueue.concurrentPerform(iterations: 32) { _ in
            #expect(cache.figures(sources, now: now, compute: compute).totals.first?.today == 1)
        }
        #expect(calls.count.load(ordering: .relaxed) == 1)
        _ = cache.figures(sources, now: now + 59_000_000_000, compute: compute)
        #expect(calls.count.load(ordering: .relaxed) == 1)
        _ = cache.figures(sources, now: now + 61_000_000_000, compute: compute)
        #expect(calls.count.load(ordering: .relaxed) == 2)
        _ = cache.figures([], now: now + 61_000_000_000, compute: compute)
        #expect(calls.count.load(ordering: .relaxed) == 3)
    }
}
