import Foundation
import PLCBlocks
import PLCCore
import PLCReport
import Testing

@Suite("Energy per interval and the report's reader")
struct EnergyTests {
    @Test("a segment splits linearly over bins, across midnight too")
    func split() {
        var parts: [(Int64, Double)] = []
        EnergySegment(from: 82_800_000, to: 90_000_000, kwh: 20).split(width: 86_400_000) { parts.append(($0, $1)) }
        #expect(parts.map(\.0) == [0, 1])
        #expect(parts.map(\.1) == [10, 10])
        var negative: [Int64] = []
        EnergySegment(from: -1500, to: 500, kwh: 4).split(width: 1000) { bin, _ in negative.append(bin) }
        #expect(negative == [-2, -1, 0])
    }

    @Test("the counter: a glitch, a confirmed step, a wrap, time that does not advance")
    func counterEvents() {
        var c = EnergyCounter(maxPower: 20, rollover: 1000, resolution: 0.1)
        #expect(c.counter(996, at: 0).event == .first)
        #expect(c.counter(998, at: 900_000) == .init(event: .counted, segment: EnergySegment(from: 0, to: 900_000, kwh: 2)))
        #expect(c.counter(1, at: 1_800_000) == .init(event: .wrapped, segment: EnergySegment(from: 900_000, to: 1_800_000, kwh: 3)))
        #expect(c.counter(1, at: 1_800_000).event == .ignored)
        #expect(c.counter(500, at: 2_700_000).event == .rejected)
        let glitch = c.counter(3, at: 3_600_000)
        #expect(glitch.event == .counted && glitch.segment?.from == 1_800_000)
        #expect(c.counter(0, at: 4_500_000).event == .rejected)
        #expect(c.counter(0.5, at: 5_400_000) == .init(event: .stepped, segment: EnergySegment(from: 4_500_000, to: 5_400_000, kwh: 0.5)))
    }

    @Test("a gap longer than 64 intervals hands out its last 64, in order, one per scan")
    func longGap() {
        let block = EnergyInterval()
        block.tInterval = 1000
        block.xCounterValid = true
        block.lrCounter = 0
        block.execute(ScanContext(time: 0, wallClock: 0))
        block.lrCounter = 100
        var starts: [Int64] = []
        var total = 0.0
        for scan in -1..<70 {
            if scan == 0 { block.xCounterValid = false }
            block.execute(ScanContext(time: 100_001 + Int64(scan), wallClock: 100_001 + Int64(scan)))
            if block.xDone {
                starts.append(block.tStart)
                total += block.lrEnergy
            }
        }
        #expect(starts == (36..<100).map { Int64($0) * 1000 })
        #expect(abs(total - 64) < 1e-9)
    }

    @Test("the CSV reader: empty cells are no reading, power in W becomes kW, CRLF, a half-written last line")
    func reader() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("energy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("energy_2026-03-01.csv").path
        try "timestamp,total_real_power,total_real_energy\r\n2026-03-01 00:05:00,-1500,12.25\r\n2026-03-01 00:10:00,,\r\n2026-03-01 00:1"
            .write(toFile: path, atomically: true, encoding: .utf8)
        var rows: [EnergyCSV.Row] = []
        try EnergyCSV.read(path) { rows.append($0) }
        let day = Int64(LocalTime.days(year: 2026, month: 3, day: 1)) * 86_400
        #expect(rows == [EnergyCSV.Row(time: day + 300, counter: 12.25, power: -1.5, counterDecimals: 2),
                         EnergyCSV.Row(time: day + 600)])
        #expect(EnergyCSV.date(ofFileNamed: "rx380_data_2026-02-28.csv") == LocalTime.days(year: 2026, month: 2, day: 28))
        #expect(EnergyCSV.date(ofFileNamed: "energy_2026-02-30.csv") == nil)
        #expect(LocalTime.civil(LocalTime.days(year: 2024, month: 2, day: 29)) == (2024, 2, 29))
    }

    @Test("a folder without day files, and a header without the needed columns, are one-line errors")
    func badFolders() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("energy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Office"), withIntermediateDirectories: true)
        #expect(throws: ReportError.self) { try SiteFolder(dir.path) }
        let path = dir.appendingPathComponent("Office/energy_2026-03-01.csv").path
        try "timestamp,voltage_l1\n2026-03-01 00:05:00,230.1\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ReportError(file: path, line: 1, "no 'total_real_energy' or 'total_real_power' column in the header")) {
            try EnergyCSV.read(path) { _ in }
        }
    }

    @Test("the source rule: a whole-kWh counter is too coarse for hours of a small load, fine for days")
    func sourceRule() {
        var energy = LocationEnergy(name: "Office", range: 0..<(2 * 86_400))
        var counter = 100.0
        for step in 0...(2 * 288) {
            let t = Int64(step) * 300
            if step > 0 { counter += 6.0 / 12 }
            energy.add(EnergyCSV.Row(time: t, counter: counter.rounded(.down), power: 6))
        }
        #expect(energy.resolution == 1)
        #expect(energy.source(binSlots: 2) == .power)
        #expect(energy.source(binSlots: 48) == .counter)
        let hours = EnergyReport([energy], query: ReportQuery(by: .hour, from: 0, to: 1)).rows
        #expect(hours.count == 48)
        #expect(hours.allSatisfy { abs($0.kwh - 6) < 1e-9 })
    }

    @Test("a folder of rx380_main day files is one location; peak demand skips half hours estimated across a gap")
    func rx380FolderAndPeak() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("Main-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // 10 kW for the first hour, a gap 01:00-03:00 across which 60 kWh arrive, then 10 kW again.
        var text = "timestamp,voltage_l1,total_real_power,total_real_energy\n"
        for (minute, kwh) in [(0, 100.0), (30, 105), (60, 110), (180, 170), (210, 175), (240, 180)] {
            text += String(format: "2026-03-01 %02d:%02d:00,230.0,10000,%.2f\n", minute / 60, minute % 60, kwh)
        }
        try text.write(to: dir.appendingPathComponent("rx380_data_2026-03-01.csv"), atomically: true, encoding: .utf8)
        let site = try SiteFolder(dir.path)
        #expect(site.locations.map(\.name) == [dir.lastPathComponent])
        let report = try EnergyReport(site: site, query: ReportQuery(by: .hour))
        let location = try #require(report.locations.first)
        #expect(location.source == .counter)
        #expect(report.rows.map(\.kwh) == [10, 30, 30, 10])
        #expect(location.peakKW == 10)
        #expect(location.missing == 3)
    }

    @Test("the repeated hour when daylight saving time ends: each hour keeps its energy, peak demand skips it")
    func repeatedHour() {
        // 12 kW from 00:00, a row every 5 minutes; at the second 02:00 the clock goes back to 01:00.
        var energy = LocationEnergy(name: "Office", range: 0..<86_400)
        var counter = 1000.0
        let minutes = Array(stride(from: 0, to: 120, by: 5)) + Array(stride(from: 60, to: 240, by: 5))
        for minute in minutes {
            energy.add(EnergyCSV.Row(time: Int64(minute) * 60, counter: counter, power: 12, counterDecimals: 1))
            counter += 1
        }
        let report = EnergyReport([energy], query: ReportQuery(by: .hour, from: 0, to: 1))
        #expect(report.locations.first?.source == .counter)
        // The hour labelled 01:00 happened twice: 24 kWh; no energy moves into the hour before it.
        #expect(report.rows.map(\.kwh) == [12, 24, 12, 11], "\(report.rows.map(\.kwh))")
        #expect(report.locations.first?.peakKW == 12)
        #expect(energy.repeated == [2, 3])
    }
}
