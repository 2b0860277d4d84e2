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
        let name: String
        let block: any FunctionBlock
        let service: WorkerService<MqttClient>
        let columns: [String]
        let units: [String]
        let pins: (valid: Int, age: Int, values: Int, decimals: Int?, columnValid: Int?, status: Int)
        var lastAge: Int64 = .max
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
        let had = Set(locations.map { ObjectIdentifier($0.block as AnyObject) })
        let new = program.bestLocationSources.compactMap { source -> Location? in
            let id = ObjectIdentifier(source.instance.block as AnyObject)
            guard !had.contains(id), blocks?.contains(id) ?? true else { return nil }
            let block = source.instance.block
            let table = source.instance.interface
            func text(_ pin: String?) -> String { pin.flatMap { block.value(of: $0)?.string } ?? "" }
            guard let valid = table.index(of: "xValid"), let age = table.index(of: "tAge"), let values = table.index(of: "alrValues")
            else { return nil }
            let name = text(source.type.locationNamePin).isEmpty ? source.instance.name : text(source.type.locationNamePin)
            var s = settings
            s.location = name
            s.columns = ValueColumns.names(text("sColumns"))
            s.units = text("sUnits").split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
            let fixed = s
            let service = WorkerService("mqtt \(name)", make: { MqttClient(fixed) }, start: { $0.start() },
                                        stop: { $0.stop() }, hasEnded: { $0.hasEnded })
            return Location(name: name, block: block, service: service, columns: s.columns, units: s.units,
                            pins: (valid, age, values, table.index(of: "auiDecimals"), table.index(of: "axValid"),
                                   table.index(of: source.type.locationStatusPin) ?? valid))
        }
        locations += new
        return new.map { ($0.name, $0.service) }
    }

    /// Lets go of the locations whose blocks are in `blocks` (an online change removed them);
    /// returns their client services, for the caller to stop off the scan thread.
    func remove(blocks: Set<ObjectIdentifier>) -> [WorkerService<MqttClient>] {
        let gone = locations.filter { blocks.contains(ObjectIdentifier($0.block as AnyObject)) }
        locations.removeAll { blocks.contains(ObjectIdentifier($0.block as AnyObject)) }
        return gone.map(\.service)
    }

    /// Scan thread, after a scan: publishes each location whose data are new (its age went down)
    /// or whose validity changed.
    func afterScan() {
        for i in locations.indices {
            let block = locations[i].block
            let valid = block[pin: locations[i].pins.valid].bool
            let age = block[pin: locations[i].pins.age].time
            defer { locations[i].lastAge = age; locations[i].lastValid = valid }
            guard (valid && age < locations[i].lastAge) || valid != locations[i].lastValid else { continue }
            publish(locations[i], valid: valid)
        }
    }

    private func publish(_ location: Location, valid: Bool) {
        guard let client = location.service.worker else { return }
        let block = location.block
        func reals(_ pin: Int?) -> [Double] {
            guard let pin, case .array(let items) = block[pin: pin] else { return [] }
            return items.map(\.real)
        }
        let values = reals(location.pins.values), decimals = reals(location.pins.decimals)
        let good: [Bool] = location.pins.columnValid.map { pin -> [Bool] in
            guard case .array(let items) = block[pin: pin] else { return [] }
            return items.map(\.bool)
        } ?? []
        let cells: [String?] = location.columns.indices.map { i in
            guard valid, i < values.count, i >= good.count || good[i] else { return nil }
            return ValueColumns.format(values[i], decimals: i < decimals.count ? Int(decimals[i]) : 3)
        }
        let status = block[pin: location.pins.status].string
        let wallMs = Int64(Date().timeIntervalSince1970 * 1000)
        client.publish(state: MqttState.payload(wallClockMs: wallMs, quality: valid ? "good" : (status.isEmpty ? "bad" : status),
                                                columns: location.columns, units: location.units, cells: cells))
    }
}
