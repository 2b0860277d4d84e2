#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PLCBlocks
import PLCCore
import PLCGraph
import PLCYAML

/// A time-of-use tariff: prices per kWh by weekday, hour and month, an optional demand charge
/// on the month's highest 15- or 30-minute window, and the site's opening hours (`tariffs/<name>.yaml`).
public struct Tariff: Sendable, Equatable {
    /// One tariff period: the half hours it takes and its price per kWh.
    public struct Period: Sendable, Equatable {
        public var name: String
        public var price: Double
        /// The local hours it takes, with the weekdays and months.
        public var hours: WeekHours
    }

    /// The demand charge: a price per kW of the month's highest window average.
    public struct Demand: Sendable, Equatable {
        /// Window length in minutes: 15 or 30.
        public var windowMinutes: Int
        public var pricePerKW: Double
    }

    public var name: String
    public var currency: String
    /// Periods in file order; a half hour takes the first period that covers it.
    public var periods: [Period]
    public var demand: Demand?
    /// The site's opening hours; nil when the file has none.
    public var opening: [WeekHours]?

    /// The index of the period taking half hour `slot` (local, see `LocationEnergy.slotSeconds`);
    /// every half hour has one (checked when the file is read).
    public func periodIndex(slot: Int64) -> Int {
        let at = WeekHours.Moment(slot: slot)
        return periods.firstIndex { $0.hours.contains(at) } ?? periods.count - 1
    }

    /// Finds a tariff: an existing path, else `<name>.yaml` under `tariffs/` in the working
    /// folder; errors are `file:line: problem`.
    public static func load(_ nameOrPath: String, folders: [String] = ["tariffs"]) throws(ReportError) -> Tariff {
        var path = nameOrPath
        if !FileManager.default.fileExists(atPath: path) {
            let candidates = folders.map { $0 + "/" + nameOrPath + ".yaml" }
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw ReportError("\(nameOrPath): no such tariff file (looked for \(([nameOrPath] + candidates).joined(separator: ", ")))")
            }
            path = found
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ReportError("\(path): cannot read: \(error.plainDescription)")
        }
        return try parse(text, path: path)
    }

    /// Opening hours from a file: a tariff file's `opening:`, or a file of only `opening:`.
    public static func loadOpening(_ path: String) throws(ReportError) -> [WeekHours] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ReportError("\(path): cannot read: \(error.plainDescription)")
        }
        do throws(SourceError) {
            let reader = TariffReader(path: path)
            let root = try YAMLSource.compose(text, path: path)
            if root.mapping?["tariff"] != nil, let opening = try reader.tariff(root).opening { return opening }
            let map = try reader.mapping(root, "an opening-hours file", keys: ["opening"])
            guard let node = map["opening"] else { throw reader.fail(root, "an opening-hours file needs 'opening:', a list of {days, from, to}") }
            return try reader.opening(node)
        } catch {
            throw ReportError(error.description)
        }
    }

    /// Parses tariff text; `path` names the file in messages.
    public static func parse(_ text: String, path: String) throws(ReportError) -> Tariff {
        do {
            return try TariffReader(path: path).tariff(YAMLSource.compose(text, path: path))
        } catch {
            throw ReportError(error.description)
        }
    }
}

/// A set of local half hours in a week, optionally limited to some months: `days`, `from`,
/// `to` (on whole or half hours; `to` before `from` runs past midnight) and `months`.
public struct WeekHours: Sendable, Equatable {
    /// A local half hour: weekday (0 = Monday), minute of day, month (1-12).
    public struct Moment: Sendable {
        public var weekday: Int, minute: Int, month: Int

        public init(weekday: Int, minute: Int, month: Int) {
            self.weekday = weekday
            self.minute = minute
            self.month = month
        }

        /// The start of half-hour slot `slot`.
        public init(slot: Int64) {
            let day = Int(EnergySegment.floorDiv(slot, 48))
            weekday = WeekHours.weekday(day)
            minute = Int(slot - Int64(day) * 48) * 30
            month = LocalTime.civil(day).month
        }
    }

    /// Weekdays taken (0 = Monday); all when the file gives none.
    public var days: Set<Int> = Set(0..<7)
    /// Minutes of the day, `to` exclusive; 0 and 1440 for the whole day.
    public var from = 0, to = 1440
    /// Months taken (1-12); all when the file gives none.
    public var months: Set<Int> = Set(1...12)

    public init() {}

    public func contains(_ m: Moment) -> Bool {
        guard months.contains(m.month) else { return false }
        if from < to { return days.contains(m.weekday) && m.minute >= from && m.minute < to }
        // Past midnight: the part after midnight belongs to the day before.
        if m.minute >= from { return days.contains(m.weekday) }
        return m.minute < to && days.contains((m.weekday + 6) % 7)
    }

    /// Weekday of a day number, 0 = Monday (1970-01-01 was a Thursday).
    public static func weekday(_ day: Int) -> Int { ((day % 7) + 7 + 3) % 7 }

    static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

/// Reads a tariff file's node tree, every problem as `file:line: message`.
struct TariffReader {
    let path: String

    static let topKeys: Set<String> = ["tariff", "currency", "periods", "demand", "opening"]
    static let periodKeys: Set<String> = ["name", "days", "from", "to", "months", "price"]
    static let hoursKeys: Set<String> = ["days", "from", "to", "months"]

    func fail(_ node: Node?, _ message: String) -> SourceError {
        SourceError(file: path, line: node?.mark?.line, message)
    }

    func mapping(_ node: Node, _ what: String, keys: Set<String>) throws(SourceError) -> Node.Mapping {
        guard let map = node.mapping else { throw fail(node, "\(what) must be a mapping (key: value)") }
        for key in map.keys {
            let k = key.scalar?.string ?? "?"
            guard keys.contains(k) else {
                throw fail(key, "unknown key '\(k)' in \(what) (expected one of: \(keys.sorted().joined(separator: ", ")))")
            }
        }
        return map
    }

    func text(_ node: Node, _ what: String) throws(SourceError) -> String {
        guard let s = node.scalar?.string, !s.isEmpty else { throw fail(node, "\(what) must be a single value") }
        return s
    }

    func number(_ node: Node, _ what: String) throws(SourceError) -> Double {
        guard let s = node.scalar?.string, let v = Double(s), v.isFinite, v >= 0 else {
            throw fail(node, "\(what) must be a number >= 0, not '\(node.scalar?.string ?? "a list or mapping")'")
        }
        return v
    }

    func list(_ node: Node) -> [Node] { node.sequence ?? [node] }

    func tariff(_ root: Node) throws(SourceError) -> Tariff {
        let map = try mapping(root, "a tariff", keys: Self.topKeys)
        guard let nameNode = map["tariff"] else { throw fail(root, "a tariff needs 'tariff: <name>'") }
        guard let currencyNode = map["currency"] else { throw fail(root, "a tariff needs 'currency:' (EUR, CHF, ...)") }
        guard let periodsNode = map["periods"], let items = periodsNode.sequence, !items.isEmpty else {
            throw fail(map["periods"] ?? root, "a tariff needs 'periods:', a list of {name, price, days, from, to, months}")
        }
        var periods: [Tariff.Period] = []
        for item in items {
            let p = try mapping(item, "a period", keys: Self.periodKeys)
            guard let n = p["name"] else { throw fail(item, "a period needs 'name:'") }
            guard let price = p["price"] else { throw fail(item, "period '\(try text(n, "name"))' needs 'price:' (per kWh)") }
            let name = try text(n, "name")
            if periods.contains(where: { $0.name == name }) { throw fail(n, "period '\(name)' appears twice") }
            periods.append(Tariff.Period(name: name, price: try number(price, "price"), hours: try hours(p)))
        }
        try coverage(periods, periodsNode)
        var demand: Tariff.Demand?
        if let node = map["demand"] {
            let d = try mapping(node, "demand", keys: ["window", "price_per_kw"])
            guard let price = d["price_per_kw"] else { throw fail(node, "demand needs 'price_per_kw:'") }
            var minutes = 30
            if let w = d["window"] { minutes = try window(w) }
            demand = Tariff.Demand(windowMinutes: minutes, pricePerKW: try number(price, "price_per_kw"))
        }
        var opening: [WeekHours]?
        if let node = map["opening"] { opening = try self.opening(node) }
        return Tariff(name: try text(nameNode, "tariff"), currency: try text(currencyNode, "currency"),
                      periods: periods, demand: demand, opening: opening)
    }

    /// A list of opening hours ({days, from, to, months}).
    func opening(_ node: Node) throws(SourceError) -> [WeekHours] {
        var result: [WeekHours] = []
        for item in list(node) { result.append(try hours(try mapping(item, "opening hours", keys: Self.hoursKeys))) }
        return result
    }

    /// `days`, `from`, `to` and `months` of a period or of opening hours.
    func hours(_ map: Node.Mapping) throws(SourceError) -> WeekHours {
        var h = WeekHours()
        if let node = map["days"] { h.days = try names(node, WeekHours.dayNames, "days", offset: 0) }
        if let node = map["months"] { h.months = try names(node, WeekHours.monthNames, "months", offset: 1) }
        if let node = map["from"] { h.from = try clock(node, "from") }
        if let node = map["to"] { h.to = try clock(node, "to") }
        if h.from == h.to { throw fail(map["to"] ?? map["from"], "from and to are the same time: the period takes no hour") }
        if h.to == 0 { h.to = 1440 }
        if h.from == 1440 { throw fail(map["from"], "from must be before 24:00") }
        return h
    }

    /// Names (`Mon`, `Jan`) or numbers (months 1-12) to indexes.
    func names(_ node: Node, _ all: [String], _ what: String, offset: Int) throws(SourceError) -> Set<Int> {
        var set: Set<Int> = []
        for item in list(node) {
            let s = try text(item, what)
            if let i = all.firstIndex(where: { $0.lowercased() == s.lowercased() }) {
                set.insert(i + offset)
            } else if offset == 1, let m = Int(s), (1...12).contains(m) {
                set.insert(m)
            } else {
                throw fail(item, "\(what): '\(s)' is not one of \(all.joined(separator: ", "))")
            }
        }
        return set
    }

    /// `HH:MM` on a half hour, `24:00` allowed, as minutes.
    func clock(_ node: Node, _ what: String) throws(SourceError) -> Int {
        let s = try text(node, what)
        let parts = s.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), parts[1].count == 2,
              (0...24).contains(h), m == 0 || m == 30, h * 60 + m <= 1440 else {
            throw fail(node, "\(what) must be a time HH:MM on a whole or half hour (the report's half hours), not '\(s)'")
        }
        return h * 60 + m
    }

    /// `T#15m`/`T#30m`, `15m`/`30m` or `15`/`30` (minutes).
    func window(_ node: Node) throws(SourceError) -> Int {
        let given = try text(node, "window")
        var s = given.lowercased()
        if s.hasPrefix("t#") { s.removeFirst(2) }
        if s.hasSuffix("m") { s.removeLast() }
        guard let minutes = Int(s), DemandWindow.minutes.contains(minutes) else {
            throw fail(node, "window must be T#15m or T#30m (a demand charge on quarter or half hours), not '\(given)'")
        }
        return minutes
    }

    /// Every half hour of the year must belong to a period.
    func coverage(_ periods: [Tariff.Period], _ node: Node) throws(SourceError) {
        for month in 1...12 {
            for weekday in 0..<7 {
                for half in 0..<48 {
                    let m = WeekHours.Moment(weekday: weekday, minute: half * 30, month: month)
                    if !periods.contains(where: { $0.hours.contains(m) }) {
                        throw fail(node, "no period covers \(WeekHours.dayNames[weekday]) \(LocalTime.pad(half / 2, 2)):\(half % 2 == 0 ? "00" : "30") in \(WeekHours.monthNames[month - 1]); add a period without days/from/to as the last one")
                    }
                }
            }
        }
    }
}
