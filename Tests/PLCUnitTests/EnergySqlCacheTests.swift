import Foundation
import PLCCore
import PLCReport
import PLCSql
import Testing

/// The slot cache's plan (months, separable edges, fingerprints), its stored text, and its T-SQL.
@Suite("slot cache")
struct EnergySqlCacheTests {
    static func day(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 { CivilDate.days(year: year, month: month, day: day) }

    /// Days `[from, to)` with `rows` readings each, 5 minutes apart from midnight.
    static func days(_ from: Int64, _ to: Int64, rows: Int64 = 288) -> [Int64: DayPrint] {
        Dictionary(uniqueKeysWithValues: (from..<to).map { d in
            (d, DayPrint(rows: rows, counterRows: rows, counterSum: d, first: d * 86_400, last: d * 86_400 + (rows - 1) * 300))
        })
    }

    @Test("a range is cut into local months; only whole months are cacheable")
    func months() {
        let plan = SlotCachePlan(from: Self.day(2026, 1, 10), to: Self.day(2026, 3, 15), days: [:])
        #expect(plan.parts.map(\.from) == [Self.day(2026, 1, 10), Self.day(2026, 2, 1), Self.day(2026, 3, 1)])
        #expect(plan.parts.map(\.to) == [Self.day(2026, 2, 1), Self.day(2026, 3, 1), Self.day(2026, 3, 15)])
        #expect(plan.parts.map(\.whole) == [false, true, false])
        #expect(plan.parts.map(\.month) == [Self.day(2026, 1, 1), Self.day(2026, 2, 1), Self.day(2026, 3, 1)])
        // Open: the data's months, December into January.
        let open = SlotCachePlan(from: nil, to: nil, days: Self.days(Self.day(2025, 12, 20), Self.day(2026, 1, 3)))
        #expect(open.parts.map(\.from) == [Self.day(2025, 12, 1), Self.day(2026, 1, 1)])
        #expect(open.parts.allSatisfy(\.whole) && open.separable)
        #expect(open.edgeGaps == [300: 1])
        #expect(SlotCachePlan(from: nil, to: nil, days: [:]).parts.isEmpty)
    }

    @Test("an edge is separable when the readings on both sides lie within a day and the window is full")
    func edges() {
        let range = (Self.day(2026, 1, 1), Self.day(2026, 4, 1))
        let steady = SlotCachePlan(from: range.0, to: range.1, days: Self.days(range.0, range.1))
        #expect(steady.separable && steady.edgeGaps == [300: 2])
        // No reading on January 31: the gap across the edge is longer than a day.
        var missing = Self.days(range.0, range.1)
        missing[Self.day(2026, 1, 31)] = nil
        #expect(!SlotCachePlan(from: range.0, to: range.1, days: missing).separable)
        // Too few readings before the edge for the window to look back on.
        var sparse = Self.days(range.0, range.1)
        sparse[Self.day(2026, 1, 31)] = DayPrint(rows: 4, first: Self.day(2026, 1, 31) * 86_400 + 85_000,
                                                 last: Self.day(2026, 1, 31) * 86_400 + 86_100)
        #expect(!SlotCachePlan(from: range.0, to: range.1, days: sparse).separable)
        // Readings only from February 5: nothing crosses the first edge.
        let late = SlotCachePlan(from: range.0, to: range.1, days: Self.days(Self.day(2026, 2, 5), range.1))
        #expect(late.separable && late.edgeGaps == [300: 1])
        // An hour's gap across the edge is counted once.
        var hour = Self.days(range.0, range.1)
        hour[Self.day(2026, 3, 1)]!.first += 3300
        #expect(SlotCachePlan(from: range.0, to: range.1, days: hour).edgeGaps == [300: 1, 3600: 1])
    }

    @Test("a month's fingerprint covers its days and one on each side")
    func fingerprints() throws {
        let range = (Self.day(2026, 1, 1), Self.day(2026, 4, 1))
        let base = SlotCachePlan(from: range.0, to: range.1, days: Self.days(range.0, range.1))
        let february = try #require(base.parts.first { $0.month == Self.day(2026, 2, 1) })
        for (changed, differs) in [(Self.day(2026, 3, 1), true), (Self.day(2026, 3, 2), false), (Self.day(2026, 1, 31), true),
                                (Self.day(2026, 1, 30), false), (Self.day(2026, 2, 14), true)] {
            var days = Self.days(range.0, range.1)
            days[changed]!.counterSum += 1
            let plan = SlotCachePlan(from: range.0, to: range.1, days: days)
            #expect((plan.fingerprint(february) != base.fingerprint(february)) == differs, "day \(changed)")
        }
        #expect(SlotCachePlan(from: range.0, to: range.1, days: [:]).fingerprint(february) == nil)
    }

    @Test("a month's rows read back from their text to the same bits, and months add up")
    func encoding() throws {
        var rows = SqlLocationRows(site: "north", location: "Hall")
        let lines: [[String?]] = [
            ["S", "north", "Hall", "98000", "0.1", "0.2", "0", "0"], ["S", "north", "Hall", "98000", "0.2", nil, "1", "0"],
            ["S", "north", "Hall", "98001", nil, "0.30000000000000004", "0", "0"],
            ["Q", "north", "Hall", "1440", "2", "1", "0", "3"], ["G", "north", "Hall", "300", "1437", "0", "0", "0"],
            ["G", "north", "Hall", "900", "1", "0", "0", "0"],
        ]
        for (n, line) in lines.enumerated() { try rows.take(line, line: n + 1) }
        let text = rows.encoded
        let back = try #require(SqlLocationRows(site: "north", location: "Hall", encoded: text))
        #expect(back.encoded == text)
        let query = ReportQuery(by: .day)
        let a = rows.energy(query: query), b = back.energy(query: query)
        #expect(a.counterSlots == b.counterSlots && a.powerSlots == b.powerSlots && a.estimated == b.estimated)
        #expect(a.counterSlots[98000]! == 0.1 + 0.2 && a.estimated == [98000])
        #expect(a.gaps == b.gaps && a.readings == b.readings && a.rejected == b.rejected && a.steps == b.steps
                && a.counterDecimals == b.counterDecimals)
        for bad in ["Q 1 2\nG\nS", "Q 1 2 3 4 5 1\nG\nS 5:x:1:0", "Q 1 2 3 4 5 1\nG 300\nS", "Q 1 2 3 4 5 1\nG\nS 5:1:1:0 ",
                    "Q 1 2 3 4 5 1\nG\nS 5:1: 1:0", "Q 1 2 3 4 5 1\nG\nS 5:inf:1:0", "Q 1 2 3 4 5 1\nG\nS\n"] {
            #expect(SqlLocationRows(site: "north", location: "Hall", encoded: bad) == nil, "\(bad)")
        }
        #expect(SqlLocationRows(site: "north", location: "Hall", encoded: "Q 1 2 3 4 5 1\nG\nS 5::1:1")?.encoded == "Q 1 2 3 4 5 1\nG\nS 5::1.0:1")
        var next = SqlLocationRows(site: "north", location: "Hall")
        try next.take(["S", "north", "Hall", "99000", "1.5", nil, "0", "0"], line: 1)
        try next.take(["Q", "north", "Hall", "10", "0", "0", "0", "5"], line: 2)
        var sum = rows.energy(query: query)
        sum.merge(next.energy(query: query))
        sum.addGaps([300: 1])
        #expect(sum.readings == 1450 && sum.counterDecimals == 5 && sum.counterSlots.count == 2 && sum.gaps[300] == 1438)
        #expect(sum.rejected == 2 && sum.steps == 1 && sum.estimated == [98000] && sum.powerSlots.count == 2)
        #expect(!rows.needsReplay && !next.needsReplay)
    }

    @Test("the cache's T-SQL is the golden text (IF OBJECT_ID, NVARCHAR(MAX), CAST AS DATE)")
    func tsqlGolden() throws {
        let cache = EnergySqlCache(table: "dbo.energy_readings")
        let sql = EnergySql(table: "dbo.energy_readings", sites: ["north"], from: 1_767_225_600, to: 1_769_904_000)
        let text = [
            cache.createStatement(.tsql), cache.probeStatement, cache.fingerprintStatement(.tsql, sql),
            cache.readStatement(site: "north", location: "Hall", slotSeconds: 1800, maxPower: 0, firstDay: 20_454, endDay: 20_486),
            cache.deleteStatement(site: "north", location: "Hall", slotSeconds: 1800, maxPower: 0, firstDay: 20_454),
            cache.insertStatement(site: "north", location: "Hall", slotSeconds: 1800, maxPower: 0, firstDay: 20_454,
                                  fingerprint: "20454 20485 8928", body: "Q 8928 0 0 0 3 1\nG 300:8927\nS 981792:0.25:0.25:0"),
        ].joined(separator: ";\n\n") + ";\n"
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/sql/energy-report-cache.tsql").path
        if ProcessInfo.processInfo.environment["PLC_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == golden, "EnergySqlCache's T-SQL changed; review it and rerun with PLC_UPDATE_GOLDEN=1")
        #expect(text.contains("IF OBJECT_ID(N'dbo.energy_readings_slots', N'U') IS NULL") && text.contains("NVARCHAR(MAX)")
                && text.contains("CAST(ts_local AS DATE)") && !text.contains("IF NOT EXISTS"))
    }
}

extension EnergySqlCacheTests {
    @Test("the fingerprint's dates and time stamps as PostgreSQL, SQLite and SQL Server print them")
    func stamps() throws {
        let day = Self.day(2026, 1, 31)
        #expect(DayPrint.seconds("2026-01-31") == day * 86_400)
        #expect(DayPrint.seconds("2026-01-31 23:55:00") == day * 86_400 + 86_100)
        #expect(DayPrint.seconds("2026-01-31 23:55:07.999") == day * 86_400 + 86_107)
        #expect(DayPrint.seconds("2026-01-31T01:02:03") == day * 86_400 + 3723)
        #expect(DayPrint.seconds("31.01.2026") == nil && DayPrint.seconds("2026-01-31 2") == nil)
        let row: [String?] = ["north", "Hall", "2026-01-31", "288", "288", "287", "123456789012", "860000",
                              "2026-01-31 00:00:00", "2026-01-31 23:55:00.000", "2026-01-30 23:00:00", "2026-01-31 22:55:00"]
        let parsed = try #require(DayPrint.parse(row))
        #expect(parsed.site == "north" && parsed.location == "Hall" && parsed.day == day)
        #expect(parsed.print == DayPrint(rows: 288, counterRows: 288, powerRows: 287, counterSum: 123_456_789_012, powerSum: 860_000,
                                         first: day * 86_400, last: day * 86_400 + 86_100, firstUTC: day * 86_400 - 3600,
                                         lastUTC: day * 86_400 + 82_500))
        #expect(DayPrint.parse(Array(row.prefix(11))) == nil)
    }
}
