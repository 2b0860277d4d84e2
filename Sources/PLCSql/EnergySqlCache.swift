import PLCCore

/// The report's slot cache beside the readings (`<table>_slots`): per site, location, slot width,
/// power limit and local month, the result of `EnergySql.statement` for that month (its slots,
/// quality and gap histogram, as text), and the fingerprint of the rows that statement read. A month
/// whose rows still have that fingerprint is read back instead of computed.
public struct EnergySqlCache: Sendable {
    /// The readings' table (schema-qualified or not); the cache is `table_slots` beside it.
    public var table: String

    public init(table: String) { self.table = table }

    /// The cache table's name.
    public var cacheTable: String { table + "_slots" }

    /// `CREATE TABLE` of the cache if it is missing.
    public func createStatement(_ dialect: SqlDialect) -> String {
        let columns = { (text: String, short: String, long: String, integer: String) in
            "    site \(short)(64) NOT NULL,\n    location \(short)(64) NOT NULL,\n    slot_seconds \(integer) NOT NULL,\n"
                + "    max_power \(short)(32) NOT NULL,\n    first_day \(integer) NOT NULL,\n"
                + "    fingerprint \(short)(400) NOT NULL,\n    body \(long) NOT NULL,\n"
                + "    \(text)PRIMARY KEY (site, location, slot_seconds, max_power, first_day)\n)"
        }
        switch dialect {
        case .tsql:
            return "IF OBJECT_ID(N'\(cacheTable)', N'U') IS NULL\nCREATE TABLE \(cacheTable) (\n"
                + columns("CONSTRAINT PK_\(cacheTable.replacingEvery(".", with: "_")) ", "NVARCHAR", "NVARCHAR(MAX)", "INT")
        case .postgres:
            return "CREATE TABLE IF NOT EXISTS \(cacheTable) (\n" + columns("", "VARCHAR", "TEXT", "INTEGER")
        case .sqlite:
            return "CREATE TABLE IF NOT EXISTS \(cacheTable) (\n" + columns("", "VARCHAR", "TEXT", "INTEGER")
        }
    }

    /// Reads nothing, but fails when the cache table cannot be read.
    public var probeStatement: String { "SELECT first_day FROM \(cacheTable) WHERE 1 = 0" }

    /// One row per site, location and local day of the rows `sql` reads (its range plus a day on
    /// each side, rows with a counter or a power value): `site, location, day, rows, counter rows,
    /// power rows, sum of counter µkWh, sum of power mW, first and last ts_local, first and last
    /// ts_utc`. Sums of whole numbers, so that they do not depend on the order of adding; nothing is
    /// computed per row but two products (no time conversion), so that the server reads at about
    /// the speed of a plain scan.
    public func fingerprintStatement(_ dialect: SqlDialect, _ sql: EnergySql) -> String {
        let d = EnergySql.Dialect(dialect)
        let day: Int64 = 86_400
        var filters: [String] = []
        if !sql.sites.isEmpty { filters.append("site IN (\(sql.sites.map(EnergySql.literal).joined(separator: ", ")))") }
        if !sql.locations.isEmpty { filters.append("location IN (\(sql.locations.map(EnergySql.literal).joined(separator: ", ")))") }
        if let from = sql.from {
            filters.append("ts_utc >= \(d.time(from - 2 * day))")
            filters.append("ts_local >= \(d.time(from - day))")
        }
        if let to = sql.to {
            filters.append("ts_utc < \(d.time(to + 2 * day))")
            filters.append("ts_local < \(d.time(to + day))")
        }
        filters.append("(total_real_energy IS NOT NULL OR total_real_power IS NOT NULL)")
        let date = dialect == .sqlite ? "date(ts_local)" : "CAST(ts_local AS DATE)"
        let integer = dialect == .sqlite ? "INTEGER" : "BIGINT"
        return """
            SELECT site, location, \(date) AS dy, COUNT(*), COUNT(total_real_energy), COUNT(total_real_power),
                   SUM(CAST(total_real_energy * 1000000.0 AS \(integer))), SUM(CAST(total_real_power * 1000.0 AS \(integer))),
                   MIN(ts_local), MAX(ts_local), MIN(ts_utc), MAX(ts_utc)
            FROM \(table)
            WHERE \(filters.joined(separator: "\n  AND "))
            GROUP BY site, location, \(date)
            """
    }

    /// The cached months of one location from `firstDay` (a month's first day) up to `endDay`:
    /// `first_day, fingerprint, body`.
    public func readStatement(site: String, location: String, slotSeconds: Int64, maxPower: Double,
                              firstDay: Int64, endDay: Int64) -> String {
        "SELECT first_day, fingerprint, body FROM \(cacheTable)\n"
            + "WHERE \(key(site: site, location: location, slotSeconds: slotSeconds, maxPower: maxPower))"
            + " AND first_day >= \(firstDay) AND first_day < \(endDay)"
    }

    /// Removes one location-month (to be followed by `insertStatement` in the same transaction).
    public func deleteStatement(site: String, location: String, slotSeconds: Int64, maxPower: Double, firstDay: Int64) -> String {
        "DELETE FROM \(cacheTable)\nWHERE \(key(site: site, location: location, slotSeconds: slotSeconds, maxPower: maxPower))"
            + " AND first_day = \(firstDay)"
    }

    /// Stores one location-month.
    public func insertStatement(site: String, location: String, slotSeconds: Int64, maxPower: Double, firstDay: Int64,
                                fingerprint: String, body: String) -> String {
        "INSERT INTO \(cacheTable) (site, location, slot_seconds, max_power, first_day, fingerprint, body)\n"
            + "VALUES (\(EnergySql.literal(site)), \(EnergySql.literal(location)), \(slotSeconds), \(EnergySql.literal("\(maxPower)")), "
            + "\(firstDay), \(EnergySql.literal(fingerprint)), \(EnergySql.literal(body)))"
    }

    private func key(site: String, location: String, slotSeconds: Int64, maxPower: Double) -> String {
        "site = \(EnergySql.literal(site)) AND location = \(EnergySql.literal(location)) AND slot_seconds = \(slotSeconds)"
            + " AND max_power = \(EnergySql.literal("\(maxPower)"))"
    }
}

/// One local day of a location's rows, from `EnergySqlCache.fingerprintStatement`.
public struct DayPrint: Sendable, Equatable {
    public var rows: Int64, counterRows: Int64, powerRows: Int64
    /// Sums of the counter in µkWh and of the power in mW (whole numbers).
    public var counterSum: Int64, powerSum: Int64
    /// First and last local second; first and last UTC second.
    public var first: Int64, last: Int64, firstUTC: Int64, lastUTC: Int64

    public init(rows: Int64, counterRows: Int64 = 0, powerRows: Int64 = 0, counterSum: Int64 = 0, powerSum: Int64 = 0,
                first: Int64, last: Int64, firstUTC: Int64 = 0, lastUTC: Int64 = 0) {
        self.rows = rows
        self.counterRows = counterRows
        self.powerRows = powerRows
        self.counterSum = counterSum
        self.powerSum = powerSum
        self.first = first
        self.last = last
        self.firstUTC = firstUTC
        self.lastUTC = lastUTC
    }

    /// A result row of the fingerprint statement: the pair's key and the day, or nil when malformed.
    public static func parse(_ row: [String?]) -> (site: String, location: String, day: Int64, print: DayPrint)? {
        guard row.count >= 12, let site = row[0], let location = row[1], let day = row[2].flatMap(Self.seconds),
              let rows = row[3].flatMap({ Int64($0) }), let first = row[8].flatMap(Self.seconds),
              let last = row[9].flatMap(Self.seconds) else { return nil }
        let int = { (i: Int) in row[i].flatMap { Int64($0) ?? Double($0).map { Int64($0) } } ?? 0 }
        return (site, location, day / 86_400,
                DayPrint(rows: rows, counterRows: int(4), powerRows: int(5), counterSum: int(6), powerSum: int(7), first: first,
                         last: last, firstUTC: row[10].flatMap(Self.seconds) ?? 0, lastUTC: row[11].flatMap(Self.seconds) ?? 0))
    }

    /// Seconds since 1970 of a date or time stamp as the drivers print them (`YYYY-MM-DD`,
    /// `YYYY-MM-DD HH:MM:SS[.fff]`, or with a `T`), fractions dropped.
    public static func seconds(_ text: String) -> Int64? {
        let digits = Array(text.utf8)
        func number(_ at: Int, _ count: Int) -> Int64? {
            guard at + count <= digits.count else { return nil }
            var value: Int64 = 0
            for byte in digits[at..<(at + count)] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2) else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day) * 86_400
        guard digits.count >= 19 else { return digits.count == 10 ? days : nil }
        guard let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) else { return nil }
        return days + hour * 3600 + minute * 60 + second
    }
}

/// How one location's range is cut into local months, which months the cache may serve, and
/// whether the months' results add up to the range's (`separable`).
///
/// A month's statement reads its range plus a day on each side. Its slots and counts equal the
/// range statement's for that month when, at each edge between two parts, the readings on either
/// side lie within the day the other part's statement reads and the window there holds the readings
/// the rules look back on: the last day before the edge and the first day after it have at least
/// `lookBack` readings each, and the gap across the edge is at most a day. An edge with no readings
/// on one side (before the first or after the last) is separable too. The gap across a separable
/// edge is counted by neither month's statement (its two readings lie in different months), so
/// `edgeGaps` adds it.
public struct SlotCachePlan: Sendable {
    /// One part of the range: local days `[from, to)`, and whether it is a whole month (cacheable).
    public struct Part: Sendable, Equatable {
        public var from: Int64, to: Int64
        public var whole: Bool
        /// The month's first day (the cache key).
        public var month: Int64
    }

    /// Readings needed on each side of an edge: the window looks back up to four readings.
    public static let lookBack: Int64 = 5

    public private(set) var parts: [Part] = []
    public private(set) var separable = true
    /// Gaps (s) between the last reading before an edge and the first after it, to add to the histogram.
    public private(set) var edgeGaps: [Int64: Int] = [:]
    private let days: [Int64: DayPrint]

    /// The plan for local days `[from, to)` (nil: the data's first or last month) over `days`,
    /// the location's fingerprint rows.
    public init(from: Int64?, to: Int64?, days: [Int64: DayPrint]) {
        self.days = days
        guard let low = from ?? days.keys.min().map(Self.monthStart),
              let high = to ?? days.keys.max().map({ Self.nextMonth(Self.monthStart($0)) }), low < high else { return }
        var start = low
        while start < high {
            let month = Self.monthStart(start)
            let next = Self.nextMonth(month)
            let end = min(next, high)
            parts.append(Part(from: start, to: end, whole: start == month && end == next, month: month))
            start = end
        }
        let occupied = days.filter { $0.value.rows > 0 }.keys.sorted()
        for part in parts.dropFirst() {
            let edge = part.from
            guard let before = occupied.last(where: { $0 < edge }), let after = occupied.first(where: { $0 >= edge }) else { continue }
            guard before == edge - 1, after == edge, let b = days[before], let a = days[after],
                  b.rows >= Self.lookBack, a.rows >= Self.lookBack, a.first - b.last <= 86_400 else {
                separable = false
                continue
            }
            if a.first > b.last { edgeGaps[a.first - b.last, default: 0] += 1 }
        }
    }

    /// The fingerprint of the rows `part`'s statement reads (its days plus one on each side), as
    /// text; nil when it reads no rows.
    public func fingerprint(_ part: Part) -> String? {
        var sum = DayPrint(rows: 0, first: Int64.max, last: Int64.min, firstUTC: Int64.max, lastUTC: Int64.min)
        for day in (part.from - 1)...(part.to) {
            guard let d = days[day] else { continue }
            sum.rows += d.rows
            sum.counterRows += d.counterRows
            sum.powerRows += d.powerRows
            sum.counterSum &+= d.counterSum
            sum.powerSum &+= d.powerSum
            sum.first = min(sum.first, d.first)
            sum.last = max(sum.last, d.last)
            sum.firstUTC = min(sum.firstUTC, d.firstUTC)
            sum.lastUTC = max(sum.lastUTC, d.lastUTC)
        }
        guard sum.rows > 0 else { return nil }
        return "\(part.from) \(part.to) \(sum.rows) \(sum.counterRows) \(sum.powerRows) \(sum.counterSum) \(sum.powerSum) "
            + "\(sum.first) \(sum.last) \(sum.firstUTC) \(sum.lastUTC)"
    }

    /// The first day of the month holding local day `day`.
    public static func monthStart(_ day: Int64) -> Int64 {
        let c = CivilDate.date(day)
        return CivilDate.days(year: c.year, month: c.month, day: 1)
    }

    /// The first day of the month after the one starting on `first`.
    public static func nextMonth(_ first: Int64) -> Int64 {
        let c = CivilDate.date(first)
        return c.month == 12 ? CivilDate.days(year: c.year + 1, month: 1, day: 1) : CivilDate.days(year: c.year, month: c.month + 1, day: 1)
    }
}
