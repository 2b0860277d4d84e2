import Foundation
import PLCCore
import PLCReport
import Testing

/// Cost, base load, after-hours use and anomalies on generated loads whose answers are known.
@Suite("Energy insight: tariffs, base load, anomalies")
struct InsightTests {
    /// 2026-11-02, a Monday.
    static let monday = LocalTime.days(year: 2026, month: 11, day: 2)

    static let twoRate = """
        tariff: two-rate
        currency: EUR
        periods:
          - {name: peak, days: [Mon, Tue, Wed, Thu, Fri], from: "08:00", to: "18:00", price: 0.30}
          - {name: offpeak, price: 0.12}          # every hour no other period takes
        demand: {window: T#30m, price_per_kw: 8.50} # per month, on the month's highest window
        opening:
          - {days: [Mon, Tue, Wed, Thu, Fri], from: "07:00", to: "19:00"}
        """

    /// A location read every 5 minutes over `days` (day numbers); `kw(day, minute)` is the power
    /// over the 5 minutes before a reading; the counter (Wh resolution) integrates it exactly.
    /// `width` is the accumulator's slot width (s): 900 for quarter hours.
    static func location(_ name: String, days: Range<Int>, range: Range<Int>? = nil, width: Int64 = LocationEnergy.slotSeconds,
                         kw: (_ day: Int, _ minute: Int) -> Double) -> LocationEnergy {
        let r = range ?? days
        var energy = LocationEnergy(name: name, range: Int64(r.lowerBound) * 86_400..<Int64(r.upperBound) * 86_400, width: width)
        var exact = 1000.0
        for day in days {
            for step in 0..<288 {
                let minute = step * 5
                let power = minute == 0 ? kw(day - 1, 1435) : kw(day, minute - 5)
                if day != days.lowerBound || step > 0 { exact += power / 12 }
                let counter = (exact * 1000).rounded() / 1000
                energy.add(EnergyCSV.Row(time: Int64(day) * 86_400 + Int64(minute) * 60, counter: counter, power: power, counterDecimals: 3))
            }
        }
        energy.add(EnergyCSV.Row(time: Int64(days.upperBound) * 86_400, counter: ((exact + kw(days.upperBound - 1, 1435) / 12) * 1000).rounded() / 1000,
                                 power: kw(days.upperBound - 1, 1435), counterDecimals: 3))
        return energy
    }

    @Test("a two-rate Monday and an all-offpeak Saturday, and the month's demand charge, to the cent")
    func twoTariffDay() throws {
        #expect(WeekHours.weekday(Self.monday) == 0)
        let tariff = try Tariff.parse(Self.twoRate, path: "two-rate.yaml")
        let saturday = Self.monday + 5
        // 10 kW 08:00-18:00, 4 kW otherwise; 30 kW for the half hour 14:00-14:30 on Monday.
        let energy = Self.location("Office", days: Self.monday..<(saturday + 1)) { day, minute in
            if day == Self.monday && minute >= 840 && minute < 870 { return 30 }
            return minute >= 480 && minute < 1080 ? 10 : 4
        }
        let query = ReportQuery(by: .day, from: Self.monday, to: saturday)
        let insight = EnergyInsight([energy], query: query, options: .init(tariff: tariff))
        let cost = try #require(insight.locations.first?.cost)
        // Monday: peak 9.5 h x 10 kW + 0.5 h x 30 kW = 110 kWh x 0.30 = 33.00; offpeak 14 h x 4 kW = 56 kWh x 0.12 = 6.72.
        // Tue-Fri: 100 kWh peak (30.00) + 56 kWh offpeak (6.72) each; Saturday: 156 kWh offpeak = 18.72.
        let rows = insight.rowCost
        #expect(String(format: "%.2f", rows["2026-11-02|Office"] ?? -1) == "39.72")
        #expect(String(format: "%.2f", rows["2026-11-03|Office"] ?? -1) == "36.72")
        #expect(String(format: "%.2f", rows["2026-11-07|Office"] ?? -1) == "18.72")
        #expect(cost.periods.map(\.name) == ["peak", "offpeak"])
        #expect(String(format: "%.3f", cost.periods[0].kwh) == "510.000")
        #expect(String(format: "%.2f", cost.periods[0].cost) == "153.00")
        #expect(String(format: "%.2f", cost.periods[1].cost) == "52.32")  // (5 x 56 + 156) x 0.12
        #expect(String(format: "%.1f", cost.periods[0].share) == "74.5")
        #expect(String(format: "%.2f", cost.energy) == "205.32")
        #expect(cost.demand.count == 1)
        #expect(cost.demand.first?.month == "2026-11")
        #expect(cost.demand.first?.at == "2026-11-02 14:00")
        #expect(String(format: "%.2f", cost.demand.first?.peakKW ?? 0) == "30.00")
        #expect(String(format: "%.2f", cost.demand.first?.cost ?? 0) == "255.00")
        #expect(String(format: "%.2f", cost.total) == "460.32")
        // After hours (outside Mon-Fri 07:00-19:00): 5 x (12 h x 4 kW) + Saturday's 156 kWh = 396 of 946 kWh.
        let location = try #require(insight.locations.first)
        #expect(String(format: "%.3f", location.afterHoursKWh ?? -1) == "396.000")
        #expect(String(format: "%.1f", location.afterHoursShare ?? -1) == "41.9")
        #expect(String(format: "%.2f", location.baseLoadKW ?? -1) == "4.00")
    }

    @Test("a 15-minute demand window: a quarter hour at 40 kW outweighs the 30-minute peak of 30 kW, to the cent")
    func quarterHourDemand() throws {
        // The two-rate week, plus Monday 14:00-14:15 at 40 kW (its half hour averages 25 kW) and
        // Tuesday 09:00-09:30 at 30 kW (both quarters 30 kW).
        let kw = { (day: Int, minute: Int) -> Double in
            if day == Self.monday && minute >= 840 && minute < 855 { return 40 }
            if day == Self.monday + 1 && minute >= 540 && minute < 570 { return 30 }
            return minute >= 480 && minute < 1080 ? 10 : 4
        }
        let days = Self.monday..<(Self.monday + 6)
        let halves = Self.location("Office", days: days, kw: kw)
        let quarters = Self.location("Office", days: days, width: 900, kw: kw)
        let query = ReportQuery(by: .day, from: Self.monday, to: Self.monday + 5)
        func insight(_ window: String, windows: [LocationEnergy]) throws -> EnergyInsight {
            let text = Self.twoRate.replacingOccurrences(of: "window: T#30m, price_per_kw: 8.50", with: "window: \(window), price_per_kw: 8.37")
            return EnergyInsight([halves], windows: windows, query: query, options: .init(tariff: try Tariff.parse(text, path: "t.yaml")))
        }
        /// The cost, after checking the one demand row: window, start, kW and charge (to the cent).
        func demand(_ window: String, _ minutes: Int, _ at: String, _ kw: String, _ charge: String) throws -> EnergyInsight.Cost {
            let result = try insight(window, windows: [quarters])
            let cost = try #require(result.locations.first?.cost)
            #expect(result.demandWindowMinutes == minutes)
            #expect(cost.demand.map(\.at) == [at])
            #expect(String(format: "%.2f", cost.demand.first?.peakKW ?? 0) == kw)
            #expect(String(format: "%.2f", cost.demand.first?.cost ?? 0) == charge)
            return cost
        }
        let halfCost = try demand("T#30m", 30, "2026-11-03 09:00", "30.00", "251.10")     // 30 kW x 8.37
        let quarterCost = try demand("T#15m", 15, "2026-11-02 14:00", "40.00", "334.80")  // 40 kW x 8.37
        // Energy cost does not depend on the window. Against the two-rate week (205.32), Monday's
        // 14:00 half hour has 12.5 kWh instead of 15 and Tuesday's 09:00 one 15 instead of 5, at 0.30.
        #expect(String(format: "%.2f", quarterCost.energy) == "207.57")
        #expect(String(format: "%.2f", quarterCost.energy) == String(format: "%.2f", halfCost.energy))
        #expect(String(format: "%.2f", quarterCost.total - halfCost.total) == "83.70")
        // Without the location's quarter hours there is no 15-minute charge rather than a wrong one.
        #expect(try insight("T#15m", windows: []).locations.first?.cost?.demand.isEmpty == true)
        #expect(InsightText.sections(try insight("T#15m", windows: [quarters])).contains("the month's highest 15-minute average power"))
    }

    @Test("a gap of 20 minutes is an estimate for quarter hours but measured for half hours")
    func quarterHourGap() throws {
        // A steady 8 kW read every 5 minutes on Monday, except no reading between 10:05 and 10:25.
        var halves = LocationEnergy(name: "Gap", range: Int64(Self.monday) * 86_400..<Int64(Self.monday + 1) * 86_400)
        var quarters = LocationEnergy(name: "Gap", range: Int64(Self.monday) * 86_400..<Int64(Self.monday + 1) * 86_400, width: 900)
        #expect(quarters.width == 900 && halves.width == LocationEnergy.slotSeconds)
        let counter = 100.0
        for step in 0...288 where !(122...124).contains(step) {
            let row = EnergyCSV.Row(time: Int64(Self.monday) * 86_400 + Int64(step) * 300, counter: counter + Double(step) * 8 / 12,
                                    power: 8, counterDecimals: 3)
            halves.add(row)
            quarters.add(row)
        }
        // 10:05-10:25 crosses the quarters 10:00 and 10:15 and the half hour 10:00; 20 min > 15 min, < 30 min.
        let quarter10 = (Int64(Self.monday) * 86_400 + 36_000) / 900
        #expect(quarters.estimated == [quarter10, quarter10 + 1])
        #expect(halves.estimated.isEmpty)
        #expect(String(format: "%.3f", quarters.counterSlots.values.reduce(0, +)) == String(format: "%.3f", halves.counterSlots.values.reduce(0, +)))
        #expect(String(format: "%.3f", quarters.counterSlots.values.reduce(0, +)) == "192.000")
    }

    @Test("a bad tariff file is one file:line error")
    func badTariffs() {
        func error(_ text: String) -> String {
            do {
                _ = try Tariff.parse(text, path: "t.yaml")
                return "parsed"
            } catch {
                return error.description
            }
        }
        #expect(error("tariff: x\ncurrency: EUR\nperiods:\n  - {name: a, price: abc}\n") == "t.yaml:4: price must be a number >= 0, not 'abc'")
        #expect(error("tariff: x\ncurrency: EUR\nperiods:\n  - {name: a, price: 1, from: \"08:15\"}\n")
                == "t.yaml:4: from must be a time HH:MM on a whole or half hour (the report's half hours), not '08:15'")
        #expect(error("tariff: x\ncurrency: EUR\nperiods:\n  - {name: a, price: 1, days: [Mon, Fun]}\n")
                == "t.yaml:4: days: 'Fun' is not one of Mon, Tue, Wed, Thu, Fri, Sat, Sun")
        #expect(error("tariff: x\ncurrency: EUR\nperiods:\n  - {name: a, price: 1, days: [Mon]}\n").hasPrefix("t.yaml:4: no period covers Tue 00:00 in Jan"))
        #expect(error("tariff: x\ncurrency: EUR\nprices: 3\n") == "t.yaml:3: unknown key 'prices' in a tariff (expected one of: currency, demand, opening, periods, tariff)")
        for window in ["T#20m", "T#60m", "T#1h", "5"] {
            #expect(error("tariff: x\ncurrency: EUR\nperiods:\n  - {name: a, price: 1}\ndemand: {window: \(window), price_per_kw: 2}\n")
                    == "t.yaml:5: window must be T#15m or T#30m (a demand charge on quarter or half hours), not '\(window)'")
        }
        #expect(error("tariff: x\ncurrency: EUR\nperiods:\n  - {name: a, price: 1}\ndemand: {window: T#15m, price_per_kw: 2}\n") == "parsed")
        #expect(error("tariff: [x\n").hasPrefix("t.yaml:"))
    }

    @Test("opening hours from a file of only 'opening:' (or a tariff file); a bad one names its line")
    func openingFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("opening-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("site.yaml").path
        try "opening:\n  - {days: [Sat], from: \"09:00\", to: \"12:30\"}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let opening = try Tariff.loadOpening(path)
        #expect(opening.count == 1 && opening[0].days == [5] && opening[0].from == 540 && opening[0].to == 750)
        let tariffPath = dir.appendingPathComponent("t.yaml").path
        try Self.twoRate.write(toFile: tariffPath, atomically: true, encoding: .utf8)
        #expect(try Tariff.loadOpening(tariffPath).first?.days == Set(0..<5))
        try "opening:\n  - {days: [Sat], form: \"09:00\"}\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ReportError(path + ":2: unknown key 'form' in opening hours (expected one of: days, from, months, to)")) {
            try Tariff.loadOpening(path)
        }
        // Saturday 09:00-12:30 open: of a steady 2 kW Monday-Saturday, everything but those 3.5 h is after hours.
        let energy = Self.location("Shop", days: Self.monday..<(Self.monday + 6)) { _, _ in 2 }
        let insight = EnergyInsight([energy], query: ReportQuery(by: .day, from: Self.monday, to: Self.monday + 5),
                                    options: .init(opening: opening))
        #expect(String(format: "%.3f", insight.locations[0].afterHoursKWh ?? -1) == String(format: "%.3f", 6 * 48 - 7.0))
    }

    @Test("seasons: a period limited to months, and a night period past midnight")
    func seasonsAndNight() throws {
        let tariff = try Tariff.parse("""
            tariff: seasonal
            currency: CHF
            periods:
              - {name: winter-day, months: [Nov, Dec, Jan, Feb], from: "07:00", to: "21:00", price: 0.35}
              - {name: night, from: "22:00", to: "06:00", price: 0.10}
              - {name: other, price: 0.20}
            """, path: "s.yaml")
        let nov = Int64(Self.monday) * 48, jul = Int64(LocalTime.days(year: 2026, month: 7, day: 6)) * 48
        #expect(tariff.periods[tariff.periodIndex(slot: nov + 14)].name == "winter-day")   // 07:00
        #expect(tariff.periods[tariff.periodIndex(slot: jul + 14)].name == "other")
        #expect(tariff.periods[tariff.periodIndex(slot: jul + 45)].name == "night")        // 22:30
        #expect(tariff.periods[tariff.periodIndex(slot: jul + 11)].name == "night")        // 05:30
        #expect(tariff.periods[tariff.periodIndex(slot: jul + 12)].name == "other")        // 06:00
    }

    /// A noisy office-like load: 2 kW at night, 12 kW 08:00-18:00 on weekdays, +-5 % noise.
    static func normalLoad(seed: UInt64) -> (Int, Int) -> Double {
        var state = seed
        return { day, minute in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(state >> 33) / Double(1 << 31) * 0.1 - 0.05
            let work = WeekHours.weekday(day) < 5 && minute >= 480 && minute < 1080
            return (work ? 12 : 2) * (1 + noise)
        }
    }

    @Test("three injected anomalies in the fifth week, against four normal weeks: all found, at most one false flag")
    func injectedAnomalies() throws {
        let first = Self.monday - 28, last = Self.monday + 7
        let normal = Self.normalLoad(seed: 25)
        // Tuesday 14:00 +60 %, Thursday 03:00 a 3 kW load switched on, Friday 10:00 the load off.
        let injected: [(day: Int, hour: Int)] = [(Self.monday + 1, 14), (Self.monday + 3, 3), (Self.monday + 4, 10)]
        let energy = Self.location("Office", days: first..<last, range: first..<last) { day, minute in
            let base = normal(day, minute)
            if day == injected[0].day && minute / 60 == 14 { return base * 1.6 }
            if day == injected[1].day && minute / 60 == 3 { return base + 3 }
            if day == injected[2].day && minute / 60 == 10 { return 0 }
            return base
        }
        let query = ReportQuery(by: .hour, from: Self.monday, to: Self.monday + 6)
        let insight = EnergyInsight([energy], query: query, options: .init(anomalyWeeks: 4))
        let check = try #require(insight.locations.first?.anomalies)
        #expect(check.status == "flagged")
        #expect(check.hoursChecked == 168)
        #expect(check.hoursWithoutHistory == 0)
        let flagged = Set(check.flags.filter { $0.kind == "hour" }.map(\.at))
        let wanted = Set(injected.map { LocalTime.dateText($0.day) + " " + String(format: "%02d:00", $0.hour) })
        #expect(wanted.isSubset(of: flagged), "flagged: \(flagged.sorted())")
        #expect(flagged.subtracting(wanted).count + check.flags.filter { $0.kind != "hour" }.count <= 1, "\(check.flags)")
        let tuesday = try #require(check.flags.first { $0.at == "2026-11-03 14:00" })
        #expect(tuesday.mads > 5 && abs(tuesday.value - tuesday.median - 7.2) < 0.5, "\(tuesday)")
        let friday = try #require(check.flags.first { $0.at == "2026-11-06 10:00" })
        #expect(friday.value == 0 && friday.mads < -5)
        // The flags reach the report's rows.
        #expect(insight.rowFlags["2026-11-05 03:00|Office"]?.hasPrefix("+3.") == true, "\(insight.rowFlags)")
        #expect(InsightText.heatmapMarks(insight)["Office"]?.isSuperset(of: [3, 10, 14]) == true)
    }

    @Test("a location whose night load doubles on one day: that day's base load is flagged, no other day")
    func nightLoadDoubles() throws {
        let first = Self.monday - 28, last = Self.monday + 7
        let normal = Self.normalLoad(seed: 7)
        let wednesday = Self.monday + 2
        let energy = Self.location("Office", days: first..<last) { day, minute in
            let base = normal(day, minute)
            return day == wednesday && base < 3 ? base * 2 : base
        }
        let query = ReportQuery(by: .day, from: Self.monday, to: Self.monday + 6)
        let insight = EnergyInsight([energy], query: query, options: .init(anomalyWeeks: 4))
        let location = try #require(insight.locations.first)
        let check = try #require(location.anomalies)
        let base = check.flags.filter { $0.kind == "baseload" }
        #expect(base.map(\.at) == ["2026-11-04"], "\(check.flags)")
        #expect(abs((base.first?.value ?? 0) - 4) < 0.2 && abs((base.first?.median ?? 0) - 2) < 0.1)
        #expect(check.daysChecked == 7)
        #expect(location.dailyBaseLoad.first { $0.date == "2026-11-04" }.map { $0.value > 3.8 } == true)
        #expect(insight.rowFlags["2026-11-04|Office"]?.contains("base +") == true)
        #expect(insight.rowFlags["2026-11-05|Office"] == nil)
    }

    @Test("two weeks of history give 'not enough data', never a flag")
    func notEnoughData() throws {
        let first = Self.monday - 7, last = Self.monday + 7
        let normal = Self.normalLoad(seed: 3)
        let energy = Self.location("Office", days: first..<last, range: first..<last) { day, minute in
            day == Self.monday + 2 && minute / 60 == 3 ? 20 : normal(day, minute)
        }
        let insight = EnergyInsight([energy], query: ReportQuery(by: .hour, from: first, to: last - 1), options: .init(anomalyWeeks: 4))
        let check = try #require(insight.locations.first?.anomalies)
        #expect(check.status == "not enough data")
        #expect(check.flags.isEmpty)
        #expect(check.hoursChecked == 0 && check.hoursWithoutHistory == 14 * 24)
        #expect(insight.rowFlags.isEmpty)
    }
}
