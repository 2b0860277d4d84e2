import Glibc
import PLCBlocks

/// One location's result rows of `EnergySql.statement` (`kind, site, location, k, a, b, c, d`),
/// added up as they arrive: energy per slot of each source, the estimated slots and the quality.
public struct SqlLocationRows: Sendable {
    public let site: String
    public let location: String
    var counter: [Int64: Double] = [:]
    var power: [Int64: Double] = [:]
    var estimated: Set<Int64> = []
    var gaps: [Int64: Int] = [:]
    var readings = 0, rejected = 0, steps = 0, decimals = 0
    /// Readings the database could not classify: the location must be replayed on the client.
    public private(set) var uncertain = 0
    /// Whether any row came back (a location without rows in the range has none).
    public private(set) var seen = false

    public init(site: String, location: String) {
        self.site = site
        self.location = location
    }

    /// Takes one result row; `line` numbers it for the error message.
    public mutating func take(_ row: [String?], line: Int) throws(ReportError) {
        guard row.count >= 8, let kind = row[0], let k = row[3].flatMap({ Double($0) }).map({ Int64($0) }) else {
            throw ReportError("the database's result row \(line) is malformed: \(row.map { $0 ?? "NULL" })")
        }
        let number = { (i: Int) in row[i].flatMap { Double($0) } }
        seen = true
        switch kind {
        case "S":
            if let kwh = number(4) { counter[k, default: 0] += kwh }
            if let kwh = number(5) { power[k, default: 0] += kwh }
            if (number(6) ?? 0) > 0 { estimated.insert(k) }
        case "Q":
            readings = Int(k)
            rejected = Int(number(4) ?? 0)
            steps = Int(number(5) ?? 0)
            uncertain = Int(number(6) ?? 0)
            decimals = Int(number(7) ?? 0)
        case "G":
            gaps[k, default: 0] += Int(number(4) ?? 0)
        default:
            throw ReportError("the database's result row \(line) has the unknown kind '\(kind)'")
        }
    }

    /// The location's energy for `query`, named `site/location`, in slots of `width` seconds (the
    /// statement's `EnergySql.slotSeconds`).
    public func energy(query: ReportQuery, width: Int64 = LocationEnergy.slotSeconds) -> LocationEnergy {
        LocationEnergy(name: site + "/" + location, range: query.range, counterSlots: counter, powerSlots: power,
                       estimated: estimated, readings: readings, rejected: rejected, steps: steps,
                       counterDecimals: decimals, gaps: gaps, width: width)
    }
}

extension EnergyReport {
    /// The report of single-location reports (each `EnergyReport([energy], query:)`), in their order:
    /// lets a caller fold one location at a time and keep only its figures.
    public init(merging parts: [EnergyReport], query: ReportQuery) {
        by = query.by
        from = query.from.map(LocalTime.dateText)
        to = query.to.map(LocalTime.dateText)
        locations = []
        rows = []
        topByHour = []
        var periods: [String: [Int: Double]] = [:]
        for part in parts {
            for location in part.locations {
                let index = locations.count
                locations.append(location)
                for row in part.rows where row.location == location.name { periods[row.period, default: [:]][index, default: 0] += row.kwh }
            }
        }
        finish(periods)
    }
}

extension LocationEnergy {
    /// An empty accumulator for `query`'s range and spike check, in slots of `width` seconds.
    public init(name: String, query: ReportQuery, width: Int64 = slotSeconds) {
        self.init(name: name, range: query.range, maxPower: query.maxPower, width: width)
    }
}

extension ReportQuery.Period {
    /// Slots of 30 minutes in a period, as used for choosing the source.
    public var slotCount: Int64 { slots }
}

extension SqlLocationRows {
    /// Whether the statement found any reading it could not classify (see `uncertain`), as stored.
    public var needsReplay: Bool { uncertain > 0 }

    /// The rows as text for the slot cache: `Q readings rejected steps uncertain decimals seen`, then
    /// `G gap:count ...`, then `S slot:counter:power:estimated ...` (an empty field: no value). Numbers
    /// are written so that they read back to the same bits.
    public var encoded: String {
        var text = "Q \(readings) \(rejected) \(steps) \(uncertain) \(decimals) \(seen ? 1 : 0)\nG"
        for (gap, count) in gaps.sorted(by: { $0.key < $1.key }) { text += " \(gap):\(count)" }
        text += "\nS"
        for slot in Set(counter.keys).union(power.keys).sorted() {
            text += " \(slot):" + (counter[slot].map { "\($0)" } ?? "") + ":" + (power[slot].map { "\($0)" } ?? "")
                + (estimated.contains(slot) ? ":1" : ":0")
        }
        return text
    }

    /// Rows stored by `encoded`; nil when the text is not such rows. Read byte by byte with the C
    /// library's number parsers (a cached year of a location is some 17,000 slots).
    public init?(site: String, location: String, encoded text: String) {
        self.init(site: site, location: location)
        let parsed = text.withCString { start -> Bool in
            var p = start
            func take(_ c: UInt8) -> Bool {
                guard UInt8(bitPattern: p.pointee) == c else { return false }
                p += 1
                return true
            }
            func integer() -> Int64? {
                guard p.pointee != 0x20 && p.pointee != 0x0A else { return nil }
                var end: UnsafeMutablePointer<CChar>?
                let value = strtoll(p, &end, 10)
                guard let end, end != UnsafeMutablePointer(mutating: p) else { return nil }
                p = UnsafePointer(end)
                return Int64(value)
            }
            func number() -> Double?? {
                if p.pointee == 0x3A { return .some(nil) }   // an empty field: no value
                guard p.pointee != 0x20 && p.pointee != 0x0A else { return nil }
                var end: UnsafeMutablePointer<CChar>?
                let value = strtod(p, &end)
                guard let end, end != UnsafeMutablePointer(mutating: p), value.isFinite else { return nil }
                p = UnsafePointer(end)
                return .some(value)
            }
            guard take(0x51) else { return false }   // Q
            var q: [Int] = []
            for _ in 0..<6 {
                guard take(0x20), let value = integer() else { return false }
                q.append(Int(value))
            }
            (readings, rejected, steps, uncertain, decimals, seen) = (q[0], q[1], q[2], q[3], q[4], q[5] == 1)
            guard take(0x0A), take(0x47) else { return false }   // G
            while take(0x20) {
                guard let gap = integer(), take(0x3A), let count = integer() else { return false }
                gaps[gap] = Int(count)
            }
            guard take(0x0A), take(0x53) else { return false }   // S
            while take(0x20) {
                guard let slot = integer(), take(0x3A), let c = number(), take(0x3A), let w = number(), take(0x3A),
                      let e = integer() else { return false }
                if let c { counter[slot] = c }
                if let w { power[slot] = w }
                if e == 1 { estimated.insert(slot) }
            }
            return p.pointee == 0
        }
        guard parsed else { return nil }
    }
}
