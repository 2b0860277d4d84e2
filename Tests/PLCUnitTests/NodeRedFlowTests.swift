import Foundation
import PLCMqtt
import Testing

/// deploy/nodered/flows.json: a Node-RED flow that must import cleanly and match what plc publishes.
@Suite("Node-RED flow")
struct NodeRedFlowTests {
    static func nodes() throws -> [[String: Any]] {
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("deploy/nodered/flows.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]], "flows.json is not a JSON array of objects")
    }

    /// The columns rx380_main's MqttPublish publishes (its sColumns in the program file).
    static func publishedColumns() throws -> Set<String> {
        let text = try String(contentsOf: Fixtures.programs.appendingPathComponent("rx380_main/program.yaml"), encoding: .utf8)
        let block = try #require(text.components(separatedBy: "type: MqttPublish").dropFirst().first)
        let line = try #require(block.split(separator: "\n").first { $0.contains("sColumns:") })
        let list = line.split(separator: "'")[1]
        return Set(list.split(separator: ",").map(String.init))
    }

    /// MQTT topic filter matching (`+` one level, `#` the rest).
    static func matches(_ filter: String, _ topic: String) -> Bool {
        let f = filter.split(separator: "/", omittingEmptySubsequences: false)
        let t = topic.split(separator: "/", omittingEmptySubsequences: false)
        for (i, level) in f.enumerated() {
            if level == "#" { return true }
            guard i < t.count, level == "+" || level == t[i] else { return false }
        }
        return f.count == t.count
    }

    @Test("a JSON array of nodes with unique ids; every wire and config reference resolves")
    func structure() throws {
        let nodes = try Self.nodes()
        #expect(nodes.count > 5)
        let ids = nodes.compactMap { $0["id"] as? String }
        #expect(ids.count == nodes.count, "a node without an id")
        #expect(Set(ids).count == ids.count, "duplicate ids")
        let known = Set(ids)
        let types = Dictionary(uniqueKeysWithValues: nodes.map { ($0["id"] as! String, $0["type"] as? String ?? "") })
        for node in nodes {
            let id = node["id"] as! String
            if let z = node["z"] as? String { #expect(types[z] == "tab", "\(id): z \(z) is not a tab") }
            for output in node["wires"] as? [[String]] ?? [] {
                for target in output { #expect(known.contains(target), "\(id) wires to missing \(target)") }
            }
            let references: [(String, String)] = [("broker", "mqtt-broker"), ("group", "ui_group"), ("tab", "ui_tab")]
            for (key, type) in references where node["type"] as? String != "mqtt-broker" {
                if let ref = node[key] as? String { #expect(types[ref] == type, "\(id).\(key) = \(ref) is not a \(type)") }
            }
        }
        #expect(nodes.contains { $0["type"] as? String == "ui_gauge" } && nodes.contains { $0["type"] as? String == "ui_chart" })
    }

    @Test("its MQTT topics match what rx380_main publishes, and it reads only published values")
    func topics() throws {
        let nodes = try Self.nodes()
        var settings = MqttSettings(host: "127.0.0.1", port: 1883, prefix: "plc", site: "any-site", location: "rx380_main", columns: [], units: [])
        let inputs = nodes.filter { $0["type"] as? String == "mqtt in" }
        #expect(inputs.count == 2)
        let published = [settings.stateTopic, settings.availabilityTopic]
        for node in inputs {
            let filter = try #require(node["topic"] as? String)
            #expect(published.contains { Self.matches(filter, $0) }, "\(filter) matches nothing plc publishes")
        }
        #expect(inputs.contains { Self.matches($0["topic"] as? String ?? "", settings.stateTopic) && $0["datatype"] as? String == "json" })
        settings.site = "other"
        #expect(inputs.contains { Self.matches($0["topic"] as? String ?? "", settings.stateTopic) }, "the flow must take every site")

        let columns = try Self.publishedColumns().union(["quality", "ts"])
        var read: [String] = []
        for node in nodes where node["type"] as? String == "change" {
            for rule in node["rules"] as? [[String: Any]] ?? [] where rule["tot"] as? String == "msg" {
                let path = try #require(rule["to"] as? String)
                #expect(path.hasPrefix("payload."), "\(path)")
                read.append(String(path.dropFirst("payload.".count)))
            }
        }
        #expect(!read.isEmpty)
        for name in read { #expect(columns.contains(name), "the flow reads payload.\(name), which plc does not publish") }
    }

    @Test("every location: the topics take any location, and a location picker chooses what the gauges show")
    func locationPicker() throws {
        let nodes = try Self.nodes()
        let inputs = nodes.filter { $0["type"] as? String == "mqtt in" }
        for location in ["Office", "Production", "Aircon", "rx380_main"] {
            let settings = MqttSettings(host: "127.0.0.1", port: 1883, prefix: "plc", site: "pi-7", location: location, columns: [], units: [])
            #expect(inputs.contains { Self.matches($0["topic"] as? String ?? "", settings.stateTopic) }, "\(location) state")
            #expect(inputs.contains { Self.matches($0["topic"] as? String ?? "", settings.availabilityTopic) }, "\(location) availability")
        }
        let picker = try #require(nodes.first { $0["type"] as? String == "ui_dropdown" })
        let byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0["id"] as! String, $0) })
        // The picker's choice reaches the same change nodes the state feeds.
        let pickTargets = Set((picker["wires"] as? [[String]] ?? []).flatMap { $0 }.flatMap { id in
            (byID[id]?["wires"] as? [[String]] ?? []).flatMap { $0 } })
        let changes = Set(nodes.filter { $0["type"] as? String == "change" }.compactMap { $0["id"] as? String })
        #expect(!changes.isEmpty && changes.isSubset(of: pickTargets), "\(pickTargets)")
        #expect(nodes.filter { $0["type"] as? String == "ui_group" }.count == 1, "one group for every location, not one per location")
    }
}
