import PLCCore

/// The energy report's SQL: one statement per dialect that turns the rows of the sink's table into
/// per-location aggregates inside the database, with the counter rules of `EnergyCounter`.
///
/// Counter readings are ordered per (site, location) by `ts_utc`; `LAG` gives the four readings
/// before each. A reading is *plausible* (P) when its rise over the one before it is possible
/// (`>= 0`, and within `maxPower` when set); P implies the state machine accepted it, whatever its
/// state. When the reading before was certainly accepted, the next one is counted if P, else
/// rejected. When it was rejected and the one before it certainly accepted, the machine's baseline
/// and suspect are those two readings, so the database decides exactly: counted from the baseline
/// (a spike or glitch), stepped from the suspect (reset, meter swap), or rejected. Two rejected
/// readings in a row (or the local clock going back, daylight saving) leave the state further back
/// than the window: such readings are counted as `uncertain` and the client replays that
/// location's rows through `LocationEnergy` instead, streaming.
///
/// Segments are spread linearly over 30-minute slots of local time (`ts_local`), as
/// `EnergySegment.split` does; a segment longer than a slot marks its slots estimated.
public struct EnergySql: Sendable {
    /// What the statement covers.
    public var table: String
    public var sites: [String]
    public var locations: [String]
    /// Local seconds (`ts_local` as if UTC) of the range's start and end; nil: open.
    public var from: Int64?
    public var to: Int64?
    /// Slots of 30 minutes per returned period bin (2: hours, 48: days; months come from days).
    public var binSlots: Int64
    /// Slots per bin for choosing the source (`ReportQuery.Period.slots`).
    public var sourceSlots: Int64
    /// The meters' maximum power (kW) for the spike check; 0: none.
    public var maxPower: Double
    /// One more condition on the table's rows (a Grafana macro such as `$__timeFilter(ts_utc)`), or nil.
    public var rowFilter: String?

    public init(table: String = "energy_readings", sites: [String] = [], locations: [String] = [], from: Int64? = nil,
                to: Int64? = nil, binSlots: Int64, sourceSlots: Int64, maxPower: Double = 0) {
        self.table = table
        self.sites = sites
        self.locations = locations
        self.from = from
        self.to = to
        self.binSlots = binSlots
        self.sourceSlots = sourceSlots
        self.maxPower = maxPower
    }

    /// Result rows: `kind, site, location, src (0 counter, 1 power), key, value, extra`.
    /// - `P`: kWh of period bin `key` (slot / binSlots) in `value`;
    /// - `H`: kWh of hour of day `key` in `value`;
    /// - `S`: slots with data in `key`, total kWh in `value`, distinct source bins in `extra`;
    ///   (src 2: distinct hours of the counter, for the hour-of-day source)
    /// - `K`: the peak slot `key` (not estimated), its kWh in `value`;
    /// - `G`: `key` seconds between consecutive good readings in range, `value` times;
    /// - `Q`: src 0: readings in range in `key`; src 1: rejected readings in range in `key`, resets
    ///   in `value`, uncertain rows in `extra`; src 2: the counter's decimal places in `key`.
    public func statement(_ dialect: SqlDialect) -> String {
        let d = Dialect(dialect)
        let decimals = (0...6).map { k in
            "WHEN ABS(v * \(d.power10(k)) - \(d.round("v * \(d.power10(k))"))) < 1e-4 THEN \(k)"
        }.joined(separator: " ")
        let sourceSlots = sourceSlots
        return common(d) + """

            SELECT 'P' AS kind, site, location, src, s / \(binSlots) AS k, SUM(kwh) AS val, 0.0 AS extra
                FROM ss GROUP BY site, location, src, s / \(binSlots)
            UNION ALL
            SELECT 'H', site, location, src, (s / 2) % 24, SUM(kwh), 0.0 FROM ss GROUP BY site, location, src, (s / 2) % 24
            UNION ALL
            SELECT 'S', site, location, src, COUNT(*), SUM(kwh), COUNT(DISTINCT s / \(sourceSlots)) FROM ss GROUP BY site, location, src
            UNION ALL
            SELECT 'S', site, location, 2, COUNT(DISTINCT s / 2), 0.0, 0.0 FROM ss WHERE src = 0 GROUP BY site, location
            UNION ALL
            SELECT 'K', site, location, src, s, kwh, 0.0 FROM ranked WHERE r = 1
            UNION ALL
            SELECT 'G', site, location, 0, t - t1, COUNT(*), 0.0 FROM good WHERE t1 IS NOT NULL AND t > t1 GROUP BY site, location, t - t1
            UNION ALL
            SELECT 'Q', site, location, 0, COUNT(*), 0.0, 0.0 FROM good GROUP BY site, location
            UNION ALL
            SELECT 'Q', site, location, 1, SUM(CASE WHEN \(inRange) AND ev = 2 THEN 1 ELSE 0 END),
                   SUM(CASE WHEN \(inRange) AND ev = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN ev = 9 THEN 1 ELSE 0 END)
                FROM ce GROUP BY site, location
            UNION ALL
            SELECT 'Q', site, location, 2, MAX(CASE \(decimals) ELSE 6 END), 0.0, 0.0 FROM raw WHERE v IS NOT NULL GROUP BY site, location
            ORDER BY 2, 3, 1, 4, 5
            """ + d.tail
    }

    /// The common table expressions: rows, classified counter readings (`ce`), power rows, segments,
    /// their 30-minute pieces (`ss`), estimated slots, ranked peaks and good readings in range.
    public func common(_ dialect: SqlDialect) -> String { common(Dialect(dialect)) }

    func common(_ d: Dialect) -> String {
        let slot: Int64 = 1800
        let day: Int64 = 86_400
        var filters: [String] = []
        if !sites.isEmpty { filters.append("site IN (\(sites.map(Self.literal).joined(separator: ", ")))") }
        if !locations.isEmpty { filters.append("location IN (\(locations.map(Self.literal).joined(separator: ", ")))") }
        if let rowFilter { filters.append(rowFilter) }
        // The rows read: the range plus a day on each side (the CSV path reads the nearest file on
        // each side), bounded on ts_utc too so the primary key's index serves the range.
        if let from {
            filters.append("ts_utc >= \(d.time(from - 2 * day))")
            filters.append("ts_local >= \(d.time(from - day))")
        }
        if let to {
            filters.append("ts_utc < \(d.time(to + 2 * day))")
            filters.append("ts_local < \(d.time(to + day))")
        }
        // Ordered as the primary key, so that the server can feed the windows from it without a sort.
        let key = "PARTITION BY site, location ORDER BY ts_utc"
        func plausible(_ delta: String, _ dt: String) -> String {
            maxPower > 0 ? "(\(delta) >= 0 AND \(delta) <= \(maxPower) * (\(dt)) / 3600.0 + 1e-9)" : "(\(delta) >= 0)"
        }
        let p0 = plausible("v - v1", "t - t1"), p1 = plausible("v1 - v2", "t1 - t2"), p2 = plausible("v2 - v3", "t2 - t3")
        let p3 = plausible("v3 - v4", "t3 - t4")
        // ok1: the reading before was certainly accepted: the first, plausible, or plausible against
        // the one two back when that one was accepted and the one between rejected (a spike's end).
        let ok1 = "(v2 IS NULL OR \(p1) OR (v3 IS NOT NULL AND (v4 IS NULL OR \(p3)) AND NOT \(p2) AND \(plausible("v1 - v3", "t1 - t3"))))"
        let ok2 = "(v3 IS NULL OR \(p2))"
        let base = plausible("v - v2", "t - t2")
        // ev: 0 first, 1 counted, 2 rejected, 3 stepped, 9 uncertain (the client replays the location).
        let classify = """
            CASE WHEN v1 IS NULL THEN 0 WHEN t <= t1 THEN 9 WHEN \(ok1) THEN (CASE WHEN \(p0) THEN 1 ELSE 2 END)
                     WHEN \(ok2) THEN (CASE WHEN \(base) THEN 1 WHEN \(p0) THEN 3 ELSE 2 END) ELSE 9 END
            """
        let where_ = filters.isEmpty ? "" : "\n    WHERE " + filters.joined(separator: "\n      AND ")
        return """
            \(d.with) raw AS \(d.inline)(
                SELECT site, location, ts_utc, \(d.epoch("ts_local")) AS t,
                       total_real_energy AS v, total_real_power / 1000.0 AS p
                FROM \(table)\(where_)
            ),
            cr AS (
                SELECT site, location, ts_utc, t, v,
                       LAG(v, 1) OVER (\(key)) AS v1, LAG(t, 1) OVER (\(key)) AS t1,
                       LAG(v, 2) OVER (\(key)) AS v2, LAG(t, 2) OVER (\(key)) AS t2,
                       LAG(v, 3) OVER (\(key)) AS v3, LAG(t, 3) OVER (\(key)) AS t3,
                       LAG(v, 4) OVER (\(key)) AS v4, LAG(t, 4) OVER (\(key)) AS t4
                FROM raw WHERE v IS NOT NULL
            ),
            ce AS (
                SELECT site, location, t, v, v1, t1, v2, t2, v3, t3, v4, t4, \(classify) AS ev
                FROM cr
            ),
            pr AS (
                SELECT site, location, t, p, LAG(p, 1) OVER (\(key)) AS p1, LAG(t, 1) OVER (\(key)) AS t1
                FROM raw WHERE p IS NOT NULL\(maxPower > 0 ? " AND ABS(p) <= \(maxPower)" : "")
            ),
            seg AS (
                SELECT site, location, 0 AS src, (CASE WHEN ev = 1 AND NOT \(ok1) THEN t2 ELSE t1 END) AS a, t AS b,
                       (CASE WHEN ev = 1 AND NOT \(ok1) THEN v - v2 ELSE v - v1 END) AS kwh
                FROM ce WHERE ev IN (1, 3)
                UNION ALL
                SELECT site, location, 1 AS src, t1 AS a, t AS b, (p1 + p) / 2.0 * (t - t1) / 3600.0 AS kwh
                FROM pr WHERE t1 IS NOT NULL AND t > t1
            ),
            wide AS (
                SELECT site, location, src, a, b, kwh, a / \(slot) AS s0, (b - 1) / \(slot) AS s1
                FROM seg WHERE a / \(slot) < (b - 1) / \(slot)
            ),
            span AS (
                SELECT COALESCE(MAX(s1 - s0), 0) AS m FROM wide
            ),
            n (k) AS (
                SELECT 0
                UNION ALL
                SELECT n.k + 1 FROM n JOIN span ON n.k < span.m
            ),
            piece AS (
                SELECT site, location, src, a / \(slot) AS s, kwh, (CASE WHEN b - a > \(slot) THEN 1 ELSE 0 END) AS g
                FROM seg WHERE a / \(slot) = (b - 1) / \(slot)
                UNION ALL
                SELECT site, location, src, s0 + k AS s,
                       kwh * ((CASE WHEN b < (s0 + k + 1) * \(slot) THEN b ELSE (s0 + k + 1) * \(slot) END)
                              - (CASE WHEN a > (s0 + k) * \(slot) THEN a ELSE (s0 + k) * \(slot) END)) / (b - a) AS kwh,
                       (CASE WHEN b - a > \(slot) THEN 1 ELSE 0 END) AS g
                FROM wide JOIN n ON n.k <= s1 - s0
            ),
            ss AS (
                SELECT site, location, src, s, SUM(kwh) AS kwh, MAX(g) AS g
                FROM piece WHERE s >= \(from.map { String($0 / slot) } ?? "-1") AND s < \(to.map { String($0 / slot) } ?? "9000000000")
                GROUP BY site, location, src, s
            ),
            est AS (
                SELECT site, location, s FROM ss GROUP BY site, location, s HAVING MAX(g) = 1
            ),
            ranked AS (
                SELECT ss.site, ss.location, ss.src, ss.s, ss.kwh,
                       ROW_NUMBER() OVER (PARTITION BY ss.site, ss.location, ss.src ORDER BY ss.kwh DESC, ss.s) AS r
                FROM ss LEFT JOIN est ON est.site = ss.site AND est.location = ss.location AND est.s = ss.s
                WHERE est.s IS NULL
            ),
            good AS (
                SELECT site, location, t, LAG(t, 1) OVER (\(key)) AS t1
                FROM raw WHERE (v IS NOT NULL OR p IS NOT NULL) AND \(inRange)
            )
            """
    }

    /// One row per counter reading of the table (in `ts_utc` order): `site, location, t, ev, a, b, kwh`,
    /// `ev` 0 first, 1 counted, 2 rejected, 3 stepped, 9 uncertain, and the counted segment `a`-`b`.
    public func eventsStatement(_ dialect: SqlDialect) -> String {
        common(Dialect(dialect)) + """

            SELECT ce.site, ce.location, ce.t, ce.ev, seg.a, seg.b, seg.kwh
            FROM ce LEFT JOIN seg ON seg.src = 0 AND seg.site = ce.site AND seg.location = ce.location AND seg.b = ce.t
            ORDER BY ce.site, ce.location, ce.t
            """ + Dialect(dialect).tail
    }

    /// Rows of one location in `ts_utc` order, for replaying on the client: `t, counter kWh, power kW`,
    /// local time `[lower, upper)` in seconds.
    public func rowsStatement(_ dialect: SqlDialect, site: String, location: String, lower: Int64, upper: Int64) -> String {
        let d = Dialect(dialect)
        return """
            SELECT \(d.epoch("ts_local")) AS t, total_real_energy, total_real_power / 1000.0
            FROM \(table)
            WHERE site = \(Self.literal(site)) AND location = \(Self.literal(location))
              AND ts_local >= \(d.time(lower)) AND ts_local < \(d.time(upper))
            ORDER BY ts_utc
            """
    }

    /// The first and last local time (seconds) of one location's rows.
    public func boundsStatement(_ dialect: SqlDialect, site: String, location: String) -> String {
        let d = Dialect(dialect)
        return "SELECT MIN(\(d.epoch("ts_local"))), MAX(\(d.epoch("ts_local"))) FROM \(table)\n"
            + "WHERE site = \(Self.literal(site)) AND location = \(Self.literal(location))"
    }

    /// A string literal with its quotes doubled.
    public static func literal(_ text: String) -> String { "'" + text.replacingEvery("'", with: "''") + "'" }

    /// The condition on a local time `t` (seconds) inside the range.
    var inRange: String {
        "t >= \(from.map(String.init) ?? "-1") AND t < \(to.map(String.init) ?? "9000000000000")"
    }

    /// The spelling of what differs between the dialects.
    struct Dialect {
        let dialect: SqlDialect
        init(_ dialect: SqlDialect) { self.dialect = dialect }

        var with: String { dialect == .tsql ? "WITH" : "WITH RECURSIVE" }
        var tail: String { dialect == .tsql ? "\nOPTION (MAXRECURSION 0)" : "" }
        /// PostgreSQL would otherwise materialize the rows once for their four readers, and sort each window.
        var inline: String { dialect == .postgres ? "NOT MATERIALIZED " : "" }

        /// Seconds since 1970 of a time-stamp column read as UTC.
        func epoch(_ column: String) -> String {
            switch dialect {
            case .tsql: "DATEDIFF_BIG(SECOND, '1970-01-01', \(column))"
            case .postgres: "CAST(FLOOR(EXTRACT(EPOCH FROM \(column))) AS BIGINT)"
            case .sqlite: "CAST(strftime('%s', \(column)) AS INTEGER)"
            }
        }

        /// A time-stamp literal for seconds since 1970.
        func time(_ seconds: Int64) -> String {
            let rest = ((seconds % 86_400) + 86_400) % 86_400
            let c = CivilDate.date((seconds - rest) / 86_400)
            let two = { (x: Int64) in String(String(x + 100).dropFirst()) }
            let date = "\(c.year)-\(two(c.month))-\(two(c.day))"
            let clock = two(rest / 3600) + ":" + two(rest / 60 % 60) + ":" + two(rest % 60)
            switch dialect {
            case .tsql: return "CAST('\(date)T\(clock)' AS DATETIME2(3))"
            case .postgres: return "TIMESTAMP '\(date) \(clock)'"
            case .sqlite: return "'\(date) \(clock)'"
            }
        }

        func power10(_ k: Int) -> String { "1" + String(repeating: "0", count: k) + ".0" }

        func round(_ x: String) -> String { dialect == .tsql ? "ROUND(\(x), 0)" : "ROUND(\(x))" }
    }
}
