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
    /// This month's demand charge so far (its highest 30-minute average), 0 without one.
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
            + "demand: the month's highest 30-minute average so far x the price per kW.</p></section>"
    }
}
