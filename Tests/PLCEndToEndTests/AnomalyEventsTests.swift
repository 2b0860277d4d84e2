import Foundation
import PLCMqtt
import Testing

/// `plc run --anomaly-events`: rx380_main's location gets its anomaly check over MQTT, read back from mosquitto.
@Suite("MQTT anomaly events with mosquitto", .serialized)
struct AnomalyEventsTests {
    @Test("a planted hour in the CSV history: a retained ON event naming it, and a binary_sensor through discovery, over the sink's one connection",
          .timeLimit(.minutes(10)))
    func events() throws {
        let broker = try MosquittoBroker()
        let modbus = freePort()
        let peer = try ModbusPeer(tcp: modbus, image: MeterImage.registers)
        defer { peer.stop() }
        let ws = try RX380MainTests.Workspace()
        try FileManager.default.createDirectory(atPath: ws.csv, withIntermediateDirectories: true)
        // Five weeks at 2 kW before today, yesterday 03:00-04:00 at 9 kW (as the dashboard test plants it).
        try TrendDashboardTests.writeHistory(URL(fileURLWithPath: ws.csv))
        let sub = try MqttSubscriber(port: broker.port, topic: "plc/#")
        let plc = try MqttSinkTests.start(ws, modbusPort: modbus, broker: "127.0.0.1:\(broker.port)", ["--anomaly-events"])
        let topic = MqttSinkTests.base + "/anomaly"
        MqttSinkTests.waitUntil(20) { !sub.payloads(topic).isEmpty }
        let event = try #require(sub.payloads(topic).last.flatMap(MqttSinkTests.json), "no event on \(topic)")
        #expect(event["state"] as? String == "ON")
        #expect(event["status"] as? String == "flagged")
        let flags = try #require(event["flags"] as? [[String: Any]])
        let yesterday = TrendDashboardTests.dateText(Date().addingTimeInterval(-86_400))
        #expect(flags.count == 1, "\(flags)")
        #expect(flags.first?["from"] as? String == "\(yesterday) 03:00")
        #expect(flags.first?["what"] as? String == "1 h")
        #expect(flags.first?["deviation"] as? String == "+7.00 kWh (+175.0 MAD)")
        #expect(try MqttSinkTests.retained(port: broker.port, topic: topic).count == 1)
        // One connection for the location: the sink's client carries the events and the binary
        // sensor. mosquitto logs each connect; plc's libmosquitto speaks MQTT 5 (p5), mosquitto_sub does not.
        let connects = { (broker.process?.errorOutput ?? []).filter { $0.contains("New client connected") && $0.contains("(p5,") } }
        MqttSinkTests.waitUntil(5) { !connects().isEmpty }
        #expect(connects().count == 1, "\(connects())")

        let configs = try MqttSinkTests.retained(port: broker.port, topic: "homeassistant/#")
        #expect(configs.count == 14, "\(configs)")      // the sink's 13 sensors and the binary sensor
        let binary = configs.first { $0.hasPrefix("homeassistant/binary_sensor/plc_pi-7_rx380_main/anomaly/config ") }
        let config = try #require(binary.flatMap { MqttSinkTests.json(String($0.split(separator: " ", maxSplits: 1)[1])) })
        #expect(config["device_class"] as? String == "problem")
        #expect(config["state_topic"] as? String == topic && config["json_attributes_topic"] as? String == topic)
        #expect(config["value_template"] as? String == "{{ value_json.state }}")
        #expect((config["device"] as? [String: Any])?["identifiers"] as? [String] == ["plc_pi-7_rx380_main"])

        // The broker restarts without persistence: on the new connection (still one) the event and the binary sensor come back.
        sub.stop()
        broker.stop()
        try broker.start()
        MqttSinkTests.waitUntil(30) {
            ((try? MqttSinkTests.retained(port: broker.port, topic: topic)) ?? []).count == 1
                && ((try? MqttSinkTests.retained(port: broker.port, topic: "homeassistant/binary_sensor/#")) ?? []).count == 1
        }
        #expect(try MqttSinkTests.retained(port: broker.port, topic: topic).first?.contains(#""state":"ON""#) == true)
        #expect(try MqttSinkTests.retained(port: broker.port, topic: "homeassistant/#").count == 14)
        #expect(connects().count == 1, "\(connects())")
        #expect(plc.stop(signal: SIGINT) == 0)
    }

    @Test("without history the event is OFF with 'not enough data'")
    func payload() throws {
        let off = try #require(MqttSinkTests.json(AnomalyTopic.payload(status: "not enough data", flags: [])))
        #expect(off["state"] as? String == "OFF" && off["status"] as? String == "not enough data")
        #expect((off["flags"] as? [Any])?.isEmpty == true)
    }
}
