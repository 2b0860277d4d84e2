import Foundation
import Testing

/// rx380_main's MQTT sink against real mosquitto brokers, read back with mosquitto_sub.
@Suite("MQTT with mosquitto", .serialized)
struct MqttSinkTests {
    static let base = "plc/pi-7/rx380_main"
    static let arguments = ["--set", "Site=pi-7", "--set", "bus.kind=tcp", "--set", "bus.host=127.0.0.1"]

    /// rx380_main against a pymodbus TCP peer with the known image, publishing to `broker`.
    static func start(_ ws: RX380MainTests.Workspace, modbusPort: Int, broker: String, _ extra: [String] = []) throws -> BackgroundProcess {
        try RX380MainTests.start(ws, arguments + ["--set", "bus.port=\(modbusPort)", "--set", "MqttBroker=\(broker)"] + extra)
    }

    static func json(_ text: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }

    static func waitUntil(_ timeout: TimeInterval, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
    }

    /// The retained messages a new subscriber gets at once.
    static func retained(port: Int, topic: String, caFile: String? = nil) throws -> [String] {
        var command = ["mosquitto_sub", "-h", "127.0.0.1", "-p", String(port), "-t", topic, "-v", "--retained-only", "-W", "2"]
        if let caFile { command += ["--cafile", caFile] }
        return try shell(command).output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("Timed out") }
    }

    @Test("plain: discovery retained, state values right, online then offline", .timeLimit(.minutes(10)))
    func plain() throws {
        let broker = try MosquittoBroker()
        let modbus = freePort()
        let peer = try ModbusPeer(tcp: modbus, image: MeterImage.registers)
        defer { peer.stop() }
        let sub = try MqttSubscriber(port: broker.port, topic: "plc/#")
        let ws = try RX380MainTests.Workspace()
        let plc = try Self.start(ws, modbusPort: modbus, broker: "127.0.0.1:\(broker.port)")
        Self.waitUntil(10) { sub.payloads(Self.base + "/state").count >= 3 }
        let configs = try Self.retained(port: broker.port, topic: "homeassistant/#")
        #expect(configs.count == 13, "\(configs)")
        let energy = configs.first { $0.hasPrefix("homeassistant/sensor/plc_pi-7_rx380_main/total_real_energy/config ") }
        let energyJSON = energy.flatMap { Self.json(String($0.split(separator: " ", maxSplits: 1)[1])) }
        #expect(energyJSON?["state_class"] as? String == "total_increasing")
        #expect(energyJSON?["device_class"] as? String == "energy")
        #expect(try Self.retained(port: broker.port, topic: Self.base + "/availability") == [Self.base + "/availability online"])

        let states = sub.payloads(Self.base + "/state").compactMap(Self.json)
        let good = try #require(states.last { $0["quality"] as? String == "good" })
        // The same cells the CSV gets from this image (RX380MainTests.expectedCells).
        let names = RX380MainTests.header.split(separator: ",").dropFirst().map(String.init)
        let expected = RX380MainTests.expectedCells.split(separator: ",").map { Double($0)! }
        for (name, value) in zip(names, expected) {
            #expect(good[name] as? Double == value, "\(name): \(good[name] ?? "missing")")
        }
        #expect((good["units"] as? [String: String])?["voltage_l1"] == "V")
        // libmosquitto is opened on first use (CMosquittoLoader): here it is in use.
        #expect(try LazyLibraryTests.libraries(plc.process.processIdentifier).contains { $0.hasPrefix("libmosquitto.so") })

        #expect(plc.stop(signal: SIGINT) == 0)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(sub.payloads(Self.base + "/availability") == ["online", "offline"])
        #expect(try Self.retained(port: broker.port, topic: Self.base + "/availability") == [Self.base + "/availability offline"])
        sub.stop()
    }

    @Test("the broker restarts: the client reconnects, one error line for the outage; SIGKILL leaves the last will",
          .timeLimit(.minutes(10)))
    func reconnect() throws {
        let broker = try MosquittoBroker()
        let modbus = freePort()
        let peer = try ModbusPeer(tcp: modbus, image: MeterImage.registers)
        defer { peer.stop() }
        let ws = try RX380MainTests.Workspace()
        let plc = try Self.start(ws, modbusPort: modbus, broker: "127.0.0.1:\(broker.port)")
        Thread.sleep(forTimeInterval: 2)
        broker.stop()
        Thread.sleep(forTimeInterval: 8)                 // longer than the 5 s grace: an outage
        try broker.start()
        let sub = try MqttSubscriber(port: broker.port, topic: Self.base + "/#")
        Self.waitUntil(30) { sub.payloads(Self.base + "/state").count >= 2 }
        #expect(sub.payloads(Self.base + "/state").count >= 2, "no state after the broker came back")
        Self.waitUntil(5) { ws.logLines().contains { $0.contains("Recovered after") && $0.contains("MQTT") } }
        let mqttLines = ws.logLines().filter { $0.contains("MQTT") }
        #expect(mqttLines.filter { $0.contains(" - ERROR - ") }.count == 1, "\(ws.logLines())")
        #expect(mqttLines.contains { $0.contains(" - INFO - Recovered after") }, "\(ws.logLines())")
        // No clean shutdown: the broker publishes the last will.
        plc.stop(signal: SIGKILL)
        Self.waitUntil(60) { sub.payloads(Self.base + "/availability").last == "offline" }
        #expect(sub.payloads(Self.base + "/availability").last == "offline")
        sub.stop()
    }

    @Test("TLS with a throw-away CA: the client checks the broker's certificate and publishes", .timeLimit(.minutes(10)))
    func tls() throws {
        let broker = try MosquittoBroker(tls: true)
        let sub = try MqttSubscriber(port: broker.port, topic: Self.base + "/#", caFile: broker.caFile)
        let ws = try RX380MainTests.Workspace()
        let plc = try RX380MainTests.start(ws, ["--simulate", "--set", "Site=pi-7", "--set", "MqttBroker=127.0.0.1:\(broker.port)",
                                                "--set", "MqttCaFile=\(broker.caFile)"])
        Self.waitUntil(10) { sub.payloads(Self.base + "/state").count >= 2 }
        #expect(plc.stop(signal: SIGINT) == 0)
        #expect(sub.payloads(Self.base + "/state").compactMap(Self.json).contains { $0["quality"] as? String == "good" })
        #expect(try Self.retained(port: broker.port, topic: "homeassistant/#", caFile: broker.caFile).count == 13)
        sub.stop()
    }

    @Test("deploy/mosquitto/bridge.conf: messages queued while the central broker was down arrive", .timeLimit(.minutes(10)))
    func bridge() throws {
        let centralPort = freePort()
        var config = try String(contentsOf: PLCCommand.root.appendingPathComponent("deploy/mosquitto/bridge.conf"), encoding: .utf8)
        config = config.replacingOccurrences(of: "central.example.com:8883", with: "127.0.0.1:\(centralPort)")
            .split(separator: "\n").filter { !$0.hasPrefix("bridge_cafile") && !$0.hasPrefix("remote_password") && !$0.hasPrefix("remote_username") }
            .joined(separator: "\n") + "\nrestart_timeout 1 2\n"
        let local = try MosquittoBroker(extraConfig: config)
        // The central broker is down: the site keeps publishing into its local broker.
        for i in 1...5 {
            #expect(try shell(["mosquitto_pub", "-h", "127.0.0.1", "-p", String(local.port), "-q", "1",
                               "-t", "plc/site-a/rx380_main/state", "-m", "{\"n\":\(i)}"]).status == 0)
        }
        let central = try MosquittoBroker(port: centralPort)
        let sub = try MqttSubscriber(port: central.port, topic: "plc/#")
        Self.waitUntil(20) { sub.payloads("plc/site-a/rx380_main/state").count >= 5 }
        #expect(sub.payloads("plc/site-a/rx380_main/state") == (1...5).map { "{\"n\":\($0)}" })
        sub.stop()
    }
}
