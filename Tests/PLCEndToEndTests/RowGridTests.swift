import Testing

/// The grid check the logging tests share: it must name a missing or repeated row unless the run's
/// own statistics show a scan stall long enough to skip a second.
@Suite("RowGrid: one row per second unless the run reports a stall")
struct RowGridTests {
    static let rows = ["2026-12-05 03:30:16,1", "2026-12-05 03:30:17,1", "2026-12-05 03:30:19,1", "2026-12-05 03:30:20,1"]
    static func summary(jitter: String, cycle: String) -> [String] {
        ["scans        77 at T#100ms", "cycle time   last 442 µs, min 58 µs, avg 129 µs, max \(cycle)",
         "start jitter p50 90 µs, p99 4650 µs, max \(jitter)", "overruns     0 (0 scans skipped)"]
    }

    @Test("a missing second with no stall in the statistics is a break; a stall of a second explains it")
    func gap() {
        #expect(RowGrid.breaks(Self.rows, stderr: Self.summary(jitter: "4644 µs", cycle: "442 µs"))
                == ["second 17 to 19: 1 missing, while the longest scan stall was 4 ms"])
        #expect(RowGrid.breaks(Self.rows, stderr: []).count == 1)
        #expect(RowGrid.breaks(Self.rows, stderr: Self.summary(jitter: "1042 ms", cycle: "442 µs")).isEmpty)
        #expect(RowGrid.breaks(Self.rows, stderr: Self.summary(jitter: "12 ms", cycle: "950 ms")).isEmpty)
        #expect(RowGrid.longestStall(Self.summary(jitter: "12 ms", cycle: "950 ms")) == 950)
    }

    @Test("a repeated second is a break whatever the statistics; a minute's wrap is not")
    func repeatAndWrap() {
        let repeated = ["2026-12-05 03:30:16,1", "2026-12-05 03:30:16,1"]
        #expect(RowGrid.breaks(repeated, stderr: Self.summary(jitter: "5000 ms", cycle: "1 ms")) == ["second 16 twice"])
        #expect(RowGrid.breaks(["2026-12-05 03:30:59,1", "2026-12-05 03:31:00,1"], stderr: []).isEmpty)
    }
}
