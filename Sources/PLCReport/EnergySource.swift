/// Where a location's kWh come from: its energy counter or its integrated power readings.
public enum EnergySource: String, Sendable, Codable {
    case counter, power
}

extension EnergySource {
    /// The counter, unless there are power readings and one step of the counter (`resolution`)
    /// exceeds 2 % of its mean kWh per bin (`total` over `bins` bins with counter data).
    public static func choose(counter: Bool, power: Bool, resolution: Double, total: Double, bins: Int) -> EnergySource {
        if !counter { return power ? .power : .counter }
        if !power { return .counter }
        return resolution <= 0.02 * total / Double(max(bins, 1)) ? .counter : .power
    }
}
