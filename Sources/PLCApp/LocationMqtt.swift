#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PLCCore
import PLCGraph
import PLCMqtt
import PLCStorage

/// MQTT for every location of a program that does not wire its own (it declares no `MqttBroker`
/// variable): one client per location source (`LocationSource`), publishing
/// `<prefix>/<site>/<location>/state` when the location has new data, with availability and Home
/// Assistant discovery per location (a location is a device, its values its entities).
final class LocationMqtt {
    private struct Location {
        var reading: LocationReading
        let service: WorkerService<MqttClient>
        let units: [String]
        var lastValid = false
    }

    private var locations: [Location] = []
    private let settings: MqttSettings

    /// The sink for `program`'s locations, or nil when the runtime settings leave MQTT off or the
    /// program wires its own. It has no location until `add(from:)`.
    init?(program: CompiledProgram, settings: RuntimeSettings) {
        guard program.type(of: "MqttBroker") == nil, let address = MqttSettings.broker(settings["MqttBroker"]) else { return nil }
        var s = MqttSettings(host: address.host, port: address.port, prefix: settings["MqttPrefix"],
                             site: SiteName.resolve(settings["Site"]), location: "", columns: [], units: [])
        (s.user, s.password, s.caFile) = (settings["MqttUser"], settings["MqttPassword"], settings["MqttCaFile"])
        self.settings = s
    }

    /// Takes in the location sources (`LocationSource`, the best rank in `program`) among `blocks`
    /// (nil: every block) that have no client yet; returns each new one's name and client service
    /// (not started). Call after a scan of theirs: their names may be computed.
    func add(from program: CompiledProgram, blocks: Set<ObjectIdentifier>? = nil) -> [(location: String, service: WorkerService<MqttClient>)] {
        let new = LocationReading.new(in: program, among: blocks, had: locations.map(\.reading)).map { reading in
            var s = settings
            s.location = reading.name
            s.columns = reading.columns
            s.units = (reading.block.value(of: "sUnits")?.string ?? "").split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingSpaces() }
            let fixed = s
            let service = WorkerService("mqtt \(reading.name)", make: { MqttClient(fixed) }, start: { $0.start() },
                                        stop: { $0.stop() }, hasEnded: { $0.hasEnded })
            return Location(reading: reading, service: service, units: s.units)
        }
        locations += new
        return new.map { ($0.reading.name, $0.service) }
    }

    /// Lets go of the locations whose blocks are in `blocks` (an online change removed them);
    /// returns their client services, for the caller to stop off the scan thread.
    func remove(blocks: Set<ObjectIdentifier>) -> [WorkerService<MqttClient>] {
        let gone = locations.filter { blocks.contains($0.reading.id) }
        locations.removeAll { blocks.contains($0.reading.id) }
        return gone.map(\.service)
    }

    /// Scan thread, after a scan: publishes each location whose data are new (its age went down)
    /// or whose validity changed.
    func afterScan() {
        for i in locations.indices {
            let block = locations[i].reading.block, pins = locations[i].reading.pins
            let valid = block[pin: pins.valid].bool
            let age = block[pin: pins.age].time
            defer { locations[i].reading.lastAge = age; locations[i].lastValid = valid }
            guard (valid && age < locations[i].reading.lastAge) || valid != locations[i].lastValid else { continue }
            publish(locations[i], valid: valid)
        }
    }

    private func publish(_ location: Location, valid: Bool) {
        guard let client = location.service.worker else { return }
        let reading = location.reading
        let status = reading.block[pin: reading.pins.status].string
        let wallMs = Int64(Date().timeIntervalSince1970 * 1000)
        client.publish(state: MqttState.payload(wallClockMs: wallMs, quality: valid ? "good" : (status.isEmpty ? "bad" : status),
                                                columns: reading.columns, units: location.units, cells: reading.cells(valid: valid)))
    }
}
