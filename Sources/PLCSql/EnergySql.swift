import PLCCore

/// The energy report's SQL: the rows of the sink's table turned into energy per slot (30 minutes)
/// inside the database, with the counter rules of `EnergyCounter`, in one ordered pass.
///
/// All readings of a (site, location) are ordered by `ts_utc` in one window (the primary key's
/// order, so the server can walk the key instead of sorting); `LAG` gives the readings before
/// each. A counter reading is *plausible* (P) when its rise over the one before it is possible
/// (`>= 0`, and within `maxPower` when set); P implies the state machine accepted it, whatever its
/// state. When the reading before was certainly accepted, the next one is counted if P, else
/// rejected. When it was rejected and the one before it certainly accepted, the machine's baseline
/// and suspect are those two readings, so the database decides exactly: counted from the baseline
/// (a spike or glitch), stepped from the suspect (reset, meter swap), or rejected. Two rejected
/// readings in a row, the local clock going back (daylight saving), or a reading whose counter or
/// power is missing between others leave the state further back than the window: such readings
/// are counted as `uncertain` and the client replays that location's rows through
/// `LocationEnergy` instead, streaming.
///
/// Segments are spread linearly over slots of `slotSeconds` of local time (`ts_local`), as
/// `EnergySegment.split` does: each reading adds its segment's part in its own slot to that slot
/// straight away (one aggregation over the rows); the part before the slot's start, when a segment
/// crosses it, is spread over the earlier slots from the (few) slots that have one. A segment
/// longer than a slot marks its slots estimated.
public struct EnergySql: Sendable {
    /// What the statement covers.
    public var table: String
    public var sites: [String]
    public var locations: [String]
    /// Local seconds (`ts_local` as if UTC) of the range's start and end; nil: open.
    public var from: Int64?
    public var to: Int64?
    /// Slots per period bin and per source bin: kept for callers; the statement returns slots.
    public var binSlots: Int64
    public var sourceSlots: Int64
    /// The meters' maximum power (kW) for the spike check; 0: none.
    public var maxPower: Double
    /// One more condition on the table's rows (a Grafana macro such as `$__timeFilter(ts_utc)`), or nil.
    public var rowFilter: String?
    /// The slot width in seconds: 1800 (the report's half hours) or, e.g., 900 for 15-minute demand windows.
    public var slotSeconds: Int64

    public init(table: String = "energy_readings", sites: [String] = [], locations: [String] = [], from: Int64? = nil,
                to: Int64? = nil, binSlots: Int64 = 48, sourceSlots: Int64 = 48, maxPower: Double = 0, slotSeconds: Int64 = 1800) {
        self.table = table
        self.sites = sites
        self.locations = locations
        self.from = from
        self.to = to
        self.binSlots = binSlots
        self.sourceSlots = sourceSlots
        self.maxPower = maxPower
        self.slotSeconds = slotSeconds
    }

    /// Result rows, ordered by site and location: `kind, site, location, k, a, b, c, d`:
    /// - `S`: energy in slot `k` (local seconds / `slotSeconds`) inside the range: counter kWh in `a`
    ///   and power kWh in `b` (NULL: no segment of that source), 1 in `c` when estimated; a slot can
    ///   come in several rows, to be added up;
    /// - `Q`: readings inside the range in `k`, rejected in `a` and resets in `b` inside the range,
    ///   uncertain rows in `c` (the client replays the location), the counter's decimal places in `d`;
    /// - `G`: `k` seconds between consecutive readings inside the range, `a` times.
    public func statement(_ dialect: SqlDialect) -> String {
        let d = Dialect(dialect)
        let inSlots = "s >= \(lowerSlot) AND s < \(upperSlot)"
        return common(d) + """

            SELECT 'S' AS kind, site, location, s AS k, ck AS a, pk AS b, g AS c, 0 AS d
                FROM sl WHERE \(inSlots) AND (ck IS NOT NULL OR pk IS NOT NULL)
            UNION ALL
            SELECT 'S', site, location, s, ck, pk, g, 0 FROM piece WHERE \(inSlots)
            UNION ALL
            SELECT 'Q', site, location, SUM(rd), SUM(rj), SUM(st), SUM(un), MAX(dc) FROM sl GROUP BY site, location
            UNION ALL
            SELECT 'G', site, location, gk, SUM(rd), 0, 0, 0 FROM sl WHERE gk IS NOT NULL GROUP BY site, location, gk
            ORDER BY 2, 3
            """ + d.tail
    }

    /// The range's first slot and the slot after its last.
    var lowerSlot: String { from.map { String($0 / slotSeconds) } ?? "-1" }
    var upperSlot: String { to.map { String($0 / slotSeconds) } ?? "9000000000" }

    /// The common table expressions: rows (`raw`), the window (`cr`), classified readings (`ce`), their
    /// segments (`sg`), the rows aggregated per slot and gap (`sl`), the parts of segments before their
    /// reading's slot (`wide`, `piece`) and the energy per slot (`ss`: `site, location, s, ck, pk, g`).
    public func common(_ dialect: SqlDialect) -> String { common(Dialect(dialect)) }

    func common(_ d: Dialect) -> String {
        let slot = slotSeconds
        let day: Int64 = 86_400
        var filters: [String] = []
        if !sites.isEmpty { filters.append("site IN (\(sites.map(Self.literal).joined(separator: ", ")))") }
        if !locations.isEmpty { filters.append("location IN (\(locations.map(Self.literal).joined(separator: ", ")))") }
        if let rowFilter { filters.append(rowFilter) }
        // The rows read: the range plus a day on each side (the CSV path reads the nearest file on
        // each side), bounded on ts_utc too so that an index on ts_utc serves the range.
        if let from {
            filters.append("ts_utc >= \(d.time(from - 2 * day))")
            filters.append("ts_local >= \(d.time(from - day))")
        }
        if let to {
            filters.append("ts_utc < \(d.time(to + 2 * day))")
            filters.append("ts_local < \(d.time(to + day))")
        }
        filters.append("(total_real_energy IS NOT NULL OR total_real_power IS NOT NULL)")
        // Ordered as the primary key, so that the server can feed the window from it without a sort.
        let key = "PARTITION BY site, location ORDER BY ts_utc"
        func plausible(_ delta: String, _ dt: String) -> String {
            maxPower > 0 ? "(\(delta) >= 0 AND \(delta) <= \(maxPower) * (\(dt)) / 3600.0 + 1e-9)" : "(\(delta) >= 0)"
        }
        let p0 = plausible("v - v1", "t - t1"), p1 = plausible("v1 - v2", "t1 - t2"), p2 = plausible("v2 - v3", "t2 - t3")
        // The reading before was certainly accepted: the first, plausible, or (with a power limit)
        // plausible against the one two back when that one was accepted and the one between
        // rejected (a spike's end). Without a limit that last case implies plausible.
        let spikeEnd = maxPower > 0
            ? " OR (v3 IS NOT NULL AND (v4 IS NULL OR \(plausible("v3 - v4", "t3 - t4"))) AND NOT \(p2) AND \(plausible("v1 - v3", "t1 - t3")))"
            : ""
        let deepBreak = maxPower > 0 ? " OR (t3 IS NOT NULL AND v3 IS NULL) OR (t4 IS NOT NULL AND v4 IS NULL)" : ""
        let base = plausible("v - v2", "t - t2")
        // ev: 0 first, 1 counted, 4 counted from the baseline, 2 rejected, 3 stepped, 8 no counter,
        // 9 uncertain (the client replays the location). A missing counter or power value between
        // readings (t known, value NULL) means the window does not hold the readings the rules need.
        let classify = """
            CASE WHEN t <= t1 THEN 9
                     WHEN v IS NULL THEN (CASE WHEN p IS NOT NULL AND t1 IS NOT NULL AND p1 IS NULL THEN 9 ELSE 8 END)
                     WHEN t1 IS NULL THEN 0
                     WHEN v1 IS NULL OR (t2 IS NOT NULL AND v2 IS NULL) OR (p IS NOT NULL AND p1 IS NULL)\(deepBreak) THEN 9
                     WHEN v2 IS NULL OR \(p1)\(spikeEnd) THEN (CASE WHEN \(p0) THEN 1 ELSE 2 END)
                     WHEN v3 IS NULL THEN 9
                     WHEN \(p2) THEN (CASE WHEN \(base) THEN 4 WHEN \(p0) THEN 3 ELSE 2 END) ELSE 9 END
            """
        let decimals = (0...6).map { k in
            "WHEN ABS(v * \(d.power10(k)) - \(d.round("v * \(d.power10(k))"))) < 1e-4 THEN \(k)"
        }.joined(separator: " ")
        let lags = maxPower > 0 ? ",\n           LAG(t, 3) OVER (\(key)) AS t3, LAG(v, 4) OVER (\(key)) AS v4, LAG(t, 4) OVER (\(key)) AS t4" : ""
        let deep = maxPower > 0 ? ", t3, v4, t4" : ""
        let power = maxPower > 0 ? "CASE WHEN ABS(total_real_power / 1000.0) <= \(maxPower) THEN total_real_power / 1000.0 END" : "total_real_power / 1000.0"
        let inRange = self.inRange("t")
        // The slot's start, its number, and the part of a segment [a, b) in slot s (as EnergySegment.split).
        func part(_ kwh: String, _ a: String, _ b: String, _ s: String) -> String {
            "\(kwh) * ((CASE WHEN \(b) < (\(s) + 1) * \(slot) THEN \(b) ELSE (\(s) + 1) * \(slot) END)"
                + " - (CASE WHEN \(a) > \(s) * \(slot) THEN \(a) ELSE \(s) * \(slot) END)) / (\(b) - \(a))"
        }
        return """
            \(d.with) raw AS \(d.inline)(
                SELECT site, location, ts_utc, \(d.epoch("ts_local")) AS t,
                       total_real_energy AS v, \(power) AS p
                FROM \(table)
                WHERE \(filters.joined(separator: "\n      AND "))
            ),
            cr AS (
                SELECT site, location, t, v, p,
                       LAG(v, 1) OVER (\(key)) AS v1, LAG(t, 1) OVER (\(key)) AS t1,
                       LAG(v, 2) OVER (\(key)) AS v2, LAG(t, 2) OVER (\(key)) AS t2,
                       LAG(v, 3) OVER (\(key)) AS v3, LAG(p, 1) OVER (\(key)) AS p1\(lags)
                FROM raw
            ),
            ce AS (
                SELECT site, location, t, v, p, v1, t1, v2, t2, p1\(deep), \(classify) AS ev
                FROM cr\(d.fence)
            ),
            sg AS (
                SELECT site, location, t, t1, v, ev, (t - 1) / \(slot) * \(slot) AS b0,
                       (CASE WHEN ev = 4 THEN t2 WHEN ev IN (1, 3) THEN t1 END) AS ca,
                       (CASE WHEN ev = 4 THEN v - v2 WHEN ev IN (1, 3) THEN v - v1 END) AS ck,
                       (CASE WHEN ev <> 9 AND t > t1 THEN (p1 + p) / 2.0 * (t - t1) / 3600.0 END) AS pk,
                       (CASE WHEN \(inRange) AND \(self.inRange("t1")) AND t > t1 THEN t - t1 END) AS gk
                FROM ce\(d.fence)
            ),
            sl AS (
                SELECT site, location, b0 / \(slot) AS s, gk,
                       SUM(CASE WHEN ca >= b0 THEN ck ELSE ck * (t - b0) / (t - ca) END) AS ck,
                       SUM(CASE WHEN t1 >= b0 THEN pk ELSE pk * (t - b0) / (t - t1) END) AS pk,
                       MAX(CASE WHEN t - ca > \(slot) OR (pk IS NOT NULL AND t - t1 > \(slot)) THEN 1 ELSE 0 END) AS g,
                       MIN(CASE WHEN ca < b0 THEN ca END) AS xa, MIN(CASE WHEN ca < b0 THEN t END) AS xb,
                       MIN(CASE WHEN ca < b0 THEN ck END) AS xk,
                       MIN(CASE WHEN pk IS NOT NULL AND t1 < b0 THEN t1 END) AS ya,
                       MIN(CASE WHEN pk IS NOT NULL AND t1 < b0 THEN t END) AS yb,
                       MIN(CASE WHEN t1 < b0 THEN pk END) AS yk,
                       SUM(CASE WHEN \(inRange) THEN 1 ELSE 0 END) AS rd,
                       SUM(CASE WHEN ev = 2 AND \(inRange) THEN 1 ELSE 0 END) AS rj,
                       SUM(CASE WHEN ev = 3 AND \(inRange) THEN 1 ELSE 0 END) AS st,
                       SUM(CASE WHEN ev = 9 THEN 1 ELSE 0 END) AS un,
                       MAX(CASE WHEN v IS NULL THEN 0 \(decimals) ELSE 6 END) AS dc
                FROM sg
                GROUP BY site, location, b0, gk
            ),
            wide AS (
                SELECT site, location, 0 AS src, xa AS a, xb AS b, xk AS kwh FROM sl WHERE xa IS NOT NULL
                UNION ALL
                SELECT site, location, 1 AS src, ya AS a, yb AS b, yk AS kwh FROM sl WHERE ya IS NOT NULL
            ),
            span AS (
                SELECT COALESCE(MAX((b - 1) / \(slot) - a / \(slot)), 0) AS m FROM wide
            ),
            n (k) AS (
                SELECT 0
                UNION ALL
                SELECT n.k + 1 FROM n JOIN span ON n.k < span.m
            ),
            piece AS (
                SELECT site, location, a / \(slot) + k AS s,
                       (CASE WHEN src = 0 THEN \(part("kwh", "a", "b", "(a / \(slot) + k)")) END) AS ck,
                       (CASE WHEN src = 1 THEN \(part("kwh", "a", "b", "(a / \(slot) + k)")) END) AS pk,
                       (CASE WHEN b - a > \(slot) THEN 1 ELSE 0 END) AS g
                FROM wide JOIN n ON n.k < (b - 1) / \(slot) - a / \(slot)
            ),
            ss AS (
                SELECT site, location, s, SUM(ck) AS ck, SUM(pk) AS pk, MAX(g) AS g
                FROM (SELECT site, location, s, ck, pk, g FROM sl UNION ALL SELECT site, location, s, ck, pk, g FROM piece) h
                WHERE s >= \(lowerSlot) AND s < \(upperSlot)
                GROUP BY site, location, s
                HAVING COUNT(ck) > 0 OR COUNT(pk) > 0
            )
            """
    }

    /// The `site, location` pairs of the table that `sites` and `locations` allow, in order. On
    /// PostgreSQL it steps through the primary key from one pair to the next instead of reading
    /// every row; elsewhere it is a DISTINCT over the key's first two columns.
    public func locationsStatement(_ dialect: SqlDialect) -> String {
        var filters: [String] = []
        if !sites.isEmpty { filters.append("site IN (\(sites.map(Self.literal).joined(separator: ", ")))") }
        if !locations.isEmpty { filters.append("location IN (\(locations.map(Self.literal).joined(separator: ", ")))") }
        let and = filters.map { " AND " + $0 }.joined()
        guard dialect == .postgres else {
            let where_ = filters.isEmpty ? "" : " WHERE " + filters.joined(separator: " AND ")
            return "SELECT DISTINCT site, location FROM \(table)\(where_) ORDER BY site, location"
        }
        return """
            WITH RECURSIVE l (site, location) AS (
                (SELECT site, location FROM \(table) WHERE TRUE\(and) ORDER BY site, location LIMIT 1)
                UNION ALL
                SELECT x.site, x.location FROM l CROSS JOIN LATERAL (
                    SELECT site, location FROM \(table) e WHERE (e.site, e.location) > (l.site, l.location)\(and)
                    ORDER BY site, location LIMIT 1) x
            )
            SELECT site, location FROM l
            """
    }

    /// One row per counter reading of the table (in `ts_utc` order): `site, location, t, ev, a, b, kwh`,
    /// `ev` 0 first, 1 counted, 2 rejected, 3 stepped, 9 uncertain, and the counted segment `a`-`b`.
    public func eventsStatement(_ dialect: SqlDialect) -> String {
        common(Dialect(dialect)) + """

            SELECT site, location, t, (CASE WHEN ev = 4 THEN 1 ELSE ev END) AS ev, ca AS a, (CASE WHEN ca IS NOT NULL THEN t END) AS b, ck AS kwh
            FROM sg WHERE v IS NOT NULL
            ORDER BY site, location, t
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
    func inRange(_ t: String) -> String {
        "\(t) >= \(from.map(String.init) ?? "-1") AND \(t) < \(to.map(String.init) ?? "9000000000000")"
    }

    /// The spelling of what differs between the dialects.
    struct Dialect {
        let dialect: SqlDialect
        init(_ dialect: SqlDialect) { self.dialect = dialect }

        var with: String { dialect == .tsql ? "WITH" : "WITH RECURSIVE" }
        var tail: String { dialect == .tsql ? "\nOPTION (MAXRECURSION 0)" : "" }
        /// PostgreSQL would otherwise materialize the rows once for their four readers, and sort each window.
        var inline: String { dialect == .postgres ? "NOT MATERIALIZED " : "" }
        /// Keeps PostgreSQL from pulling a subquery up into its reader, which would copy its CASE
        /// expressions into every place that names their column and evaluate them again per row.
        var fence: String { dialect == .postgres ? "\n    OFFSET 0" : "" }

        /// Seconds since 1970 of a time-stamp column read as UTC.
        func epoch(_ column: String) -> String {
            switch dialect {
            case .tsql: "DATEDIFF_BIG(SECOND, '1970-01-01', \(column))"
            // date_part gives a double; EXTRACT a numeric, slower per row.
            case .postgres: "CAST(FLOOR(date_part('epoch', \(column))) AS BIGINT)"
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
