import PLCCore

/// Anomaly events of one location: a retained JSON state on `<prefix>/<site>/<location>/anomaly`
/// and a Home Assistant `binary_sensor` (device class `problem`) on the location's device.
public enum AnomalyTopic {
    /// The event topic of a location.
    public static func topic(_ settings: MqttSettings) -> String { settings.base + "/anomaly" }

    /// The binary sensor's retained discovery config.
    public static func discovery(_ settings: MqttSettings) -> (topic: String, payload: String) {
        let node = HomeAssistant.node(settings)
        let fields: [(String, String)] = [
            ("name", JSONText.string("anomaly")),
            ("unique_id", JSONText.string("\(node)_anomaly")),
            ("state_topic", JSONText.string(topic(settings))),
            ("value_template", JSONText.string("{{ value_json.state }}")),
            ("payload_on", JSONText.string("ON")),
            ("payload_off", JSONText.string("OFF")),
            ("json_attributes_topic", JSONText.string(topic(settings))),
            ("availability_topic", JSONText.string(settings.availabilityTopic)),
            ("payload_available", JSONText.string("online")),
            ("payload_not_available", JSONText.string("offline")),
            ("device_class", JSONText.string("problem")),
            ("device", JSONText.object([
                ("identifiers", "[" + JSONText.string(node) + "]"),
                ("name", JSONText.string("\(settings.location) @ \(settings.site)")),
                ("model", JSONText.string(settings.model)),
            ])),
        ]
        return ("\(HomeAssistant.discoveryPrefix)/binary_sensor/\(node)/anomaly/config", JSONText.object(fields))
    }

    /// `{"state":"ON","status":"flagged","flags":[{"from":...,"what":...,"deviation":...}]}`.
    public static func payload(status: String, flags: [(from: String, what: String, deviation: String)]) -> String {
        let list = flags.map { f in
            JSONText.object([("from", JSONText.string(f.from)), ("what", JSONText.string(f.what)), ("deviation", JSONText.string(f.deviation))])
        }
        return JSONText.object([("state", JSONText.string(flags.isEmpty ? "OFF" : "ON")), ("status", JSONText.string(status)),
                                ("flags", "[" + list.joined(separator: ",") + "]")])
    }
}
