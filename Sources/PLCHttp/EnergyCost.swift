/// One location's cost today and this month, from a tariff (`plc run --tariff`), for the Energy page.
public struct EnergyCost: Sendable, Equatable {
    public var location: String
    public var currency: String
    /// The tariff's name.
    public var tariff: String
    /// Energy cost today; nil when today has no reading.
    public var today: Double?
    /// Energy cost this month so far.
    public var month: Double
    /// This month's demand charge so far (its highest 15- or 30-minute average, as the tariff says), 0 without one.
    public var demand: Double

    public init(location: String, currency: String, tariff: String, today: Double?, month: Double, demand: Double) {
        self.location = location
        self.currency = currency
        self.tariff = tariff
        self.today = today
        self.month = month
        self.demand = demand
    }

    /// The Energy page's cost table; empty without costs.
    static func section(_ costs: [EnergyCost]) -> String {
        guard let first = costs.first else { return "" }
        let c = HTML.escape(first.currency)
        var s = "<section id=\"cost\"><h2>Cost <span class=\"muted\">tariff \(HTML.escape(first.tariff))</span></h2><table><tr><th>location</th>"
            + "<th class=\"n\">today \(c)</th><th class=\"n\">this month \(c)</th><th class=\"n\">demand \(c)</th><th class=\"n\">month total \(c)</th></tr>"
        for cost in costs {
            s += "<tr data-cost=\"\(HTML.escape(cost.location))\"><td>\(HTML.escape(cost.location))</td>"
                + "<td class=\"v\">\(cost.today.map { formatFixed($0, decimals: 2) } ?? "-")</td>"
                + "<td class=\"v\">\(formatFixed(cost.month, decimals: 2))</td><td class=\"v\">\(formatFixed(cost.demand, decimals: 2))</td>"
                + "<td class=\"v\">\(formatFixed(cost.month + cost.demand, decimals: 2))</td></tr>"
        }
        return s + "</table><p class=\"muted\">Energy cost from the CSV files' half hours at the tariff's prices (as plc report --tariff); "
            + "demand: the month's highest average over the tariff's window (15 or 30 minutes) so far x the price per kW.</p></section>"
    }
}

/// One location's unusual hours and days over the last week (`plc report --anomalies`'s check), for the Energy page.
public struct EnergyFlags: Sendable, Equatable {
    /// One run of flagged hours, or a day whose base load rose.
    public struct Line: Sendable, Equatable {
        /// `YYYY-MM-DD HH:00` or the day.
        public var from: String
        /// `3 h` or `base load`.
        public var what: String
        /// `+160.03 kWh (+1011.6 MAD)`.
        public var deviation: String

        public init(from: String, what: String, deviation: String) {
            self.from = from
            self.what = what
            self.deviation = deviation
        }
    }

    public var location: String
    /// `ok`, `flagged`, or `not enough data`.
    public var status: String
    public var lines: [Line]

    public init(location: String, status: String, lines: [Line]) {
        self.location = location
        self.status = status
        self.lines = lines
    }

    /// The Energy page's anomaly table; empty without locations.
    static func section(_ flags: [EnergyFlags], weeks: Int) -> String {
        guard !flags.isEmpty else { return "" }
        var s = "<section id=\"anomalies\"><h2>Unusual in the last 7 days</h2><table><tr><th>location</th><th>status</th>"
            + "<th>from</th><th>what</th><th class=\"n\">deviation</th></tr>"
        for f in flags {
            let cls = f.status == "flagged" ? "error" : f.status == "ok" ? "ok" : "stale"
            let status = "<span class=\"state \(cls)\">\(HTML.escape(f.status))</span>"
            if f.lines.isEmpty {
                s += "<tr data-flags=\"\(HTML.escape(f.location))\"><td>\(HTML.escape(f.location))</td><td>\(status)</td><td></td><td></td><td></td></tr>"
            }
            for line in f.lines {
                s += "<tr data-flags=\"\(HTML.escape(f.location))\"><td>\(HTML.escape(f.location))</td><td>\(status)</td>"
                    + "<td>\(HTML.escape(line.from))</td><td>\(HTML.escape(line.what))</td><td class=\"v\">\(HTML.escape(line.deviation))</td></tr>"
            }
        }
        return s + "</table><p class=\"muted\">Each hour against the same hour of the \(weeks) weeks before (median +/- 5 MAD); "
            + "each day's base load against those weeks' days. Less than 3 weeks of history: not enough data.</p></section>"
    }
}

/// What the Energy page adds from `plc report`'s insight: cost (with a tariff) and unusual hours.
public struct EnergyInsightView: Sendable, Equatable {
    public var costs: [EnergyCost]
    public var flags: [EnergyFlags]
    /// Weeks of history behind the flags.
    public var weeks: Int

    public init(costs: [EnergyCost] = [], flags: [EnergyFlags] = [], weeks: Int = 4) {
        self.costs = costs
        self.flags = flags
        self.weeks = weeks
    }

    var html: String { EnergyCost.section(costs) + EnergyFlags.section(flags, weeks: weeks) }
}
