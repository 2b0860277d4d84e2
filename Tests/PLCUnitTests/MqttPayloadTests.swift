import Foundation
import PLCCore
import PLCMqtt
import Testing

/// What the MQTT sink publishes, checked as JSON by Foundation's parser.
@Suite("MQTT payloads and Home Assistant discovery")
struct MqttPayloadTests {
    static let settings = MqttSettings(host: "127.0.0.1", port: 1883, prefix: "plc", site: "Pi #1", location: "rx380_main",
                                       columns: ["voltage_l1", "total_power_factor", "total_real_energy", "total_real_power"],
                                       units: ["V", "", "kWh", "W"])

    @Test("topics are <prefix>/<site>/<location>/state and /availability, levels made safe")
    func topics() {
        #expect(Self.settings.stateTopic == "plc/Pi__1/rx380_main/state")
        #expect(Self.settings.availabilityTopic == "plc/Pi__1/rx380_main/availability")
        #expect(MqttSettings.broker("10.0.0.5:8883")! == ("10.0.0.5", 8883))
        #expect(MqttSettings.broker("broker")! == ("broker", 1883))
        #expect(MqttSettings.broker("host:99999") == nil)
        #expect(MqttSettings.broker("") == nil)
    }

    @Test("state JSON: values with their decimals, null when not good, quality and units")
    func state() throws {
        let text = MqttState.payload(wallClockMs: 1_795_000_000_123, quality: "good", columns: ["voltage_l1", "frequency"],
                                     units: ["V", "Hz"], cells: ["229.7", nil])
        #expect(text.hasPrefix("{\"ts\":\"2026-11-18T"))
        let json = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["quality"] as? String == "good")
        #expect(json["voltage_l1"] as? Double == 229.7)
        #expect(json["frequency"] is NSNull)
        #expect((json["units"] as? [String: String]) == ["voltage_l1": "V", "frequency": "Hz"])
        #expect((json["ts"] as? String)?.hasSuffix(".123Z") == true)
    }

    @Test("discovery: one retained config per value, device and state classes right, energy total_increasing")
    func discovery() throws {
        let configs = HomeAssistant.configs(Self.settings)
        #expect(configs.map(\.topic) == Self.settings.columns.map { "homeassistant/sensor/plc_Pi__1_rx380_main/\($0)/config" })
        var classes: [String: (String?, String?)] = [:]
        for config in configs {
            let json = try #require(JSONSerialization.jsonObject(with: Data(config.payload.utf8)) as? [String: Any])
            #expect(json["state_topic"] as? String == Self.settings.stateTopic)
            #expect(json["availability_topic"] as? String == Self.settings.availabilityTopic)
            let name = try #require(json["name"] as? String)
            #expect(json["value_template"] as? String == "{{ value_json.\(name) }}")
            classes[name] = (json["device_class"] as? String, json["state_class"] as? String)
        }
        #expect(classes["voltage_l1"]! == ("voltage", "measurement"))
        #expect(classes["total_power_factor"]! == ("power_factor", "measurement"))
        #expect(classes["total_real_energy"]! == ("energy", "total_increasing"))
        #expect(classes["total_real_power"]! == ("power", "measurement"))
    }

    @Test("JSON strings escape quotes, backslashes and control characters")
    func escaping() throws {
        let text = JSONText.object([("k", JSONText.string("a\"b\\c\n\u{1}"))])
        let json = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        #expect(json["k"] == "a\"b\\c\n\u{1}")
    }
}
