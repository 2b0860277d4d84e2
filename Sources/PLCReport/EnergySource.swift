/// Where a location's kWh come from: its energy counter or its integrated power readings.
public enum EnergySource: String, Sendable, Codable {
    case counter, power
}
