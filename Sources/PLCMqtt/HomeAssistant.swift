#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore

/// Home Assistant MQTT discovery: one retained sensor config per value column.
///
/// Topic `homeassistant/sensor/<node>/<column>/config`, with `<node>` = `plc_<site>_<location>`;
/// the device class follows the unit (V voltage, A current, W power, Hz frequency, kWh energy with
/// `state_class: total_increasing`, no unit and a name with "power_factor": power factor).
public enum HomeAssistant {
    /// The discovery prefix Home Assistant listens on by default.
    public static let discoveryPrefix = "homeassistant"

    /// `(device_class, state_class)` for a column and its unit.
    public static func classes(column: String, unit: String) -> (device: String?, state: String) {
        switch unit {
        case "V", "kV": return ("voltage", "measurement")
        case "A", "mA": return ("current", "measurement")
        case "W", "kW": return ("power", "measurement")
        case "Hz": return ("frequency", "measurement")
        case "Wh", "kWh", "MWh": return ("energy", "total_increasing")
        default: return (column.contains("power_factor") ? "power_factor" : nil, "measurement")
        }
    }

    /// The node id: `plc_<site>_<location>` as topic-safe text.
    public static func node(_ settings: MqttSettings) -> String {
        "plc_" + MqttSettings.level(settings.site) + "_" + MqttSettings.level(settings.location)
    }

    /// Every config topic and its JSON payload.
    public static func configs(_ settings: MqttSettings) -> [(topic: String, payload: String)] {
        let node = node(settings)
        return settings.columns.enumerated().map { i, column in
            let unit = i < settings.units.count ? settings.units[i] : ""
            let (device, state) = classes(column: column, unit: unit)
            var fields: [(String, String)] = [
                ("name", JSONText.string(column)),
                ("unique_id", JSONText.string("\(node)_\(column)")),
                ("state_topic", JSONText.string(settings.stateTopic)),
                ("value_template", JSONText.string("{{ value_json.\(column) }}")),
                ("availability_topic", JSONText.string(settings.availabilityTopic)),
                ("payload_available", JSONText.string("online")),
                ("payload_not_available", JSONText.string("offline")),
                ("state_class", JSONText.string(state)),
            ]
            if !unit.isEmpty { fields.append(("unit_of_measurement", JSONText.string(unit))) }
            if let device { fields.append(("device_class", JSONText.string(device))) }
            fields.append(("device", JSONText.object([
                ("identifiers", "[" + JSONText.string(node) + "]"),
                ("name", JSONText.string("\(settings.location) @ \(settings.site)")),
                ("model", JSONText.string(settings.model)),
            ])))
            return ("\(discoveryPrefix)/sensor/\(node)/\(column)/config", JSONText.object(fields))
        }
    }
}
