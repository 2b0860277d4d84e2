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

    private var locations: [Location]

    /// The clients for `program`'s locations, or nil when the runtime settings leave MQTT off or the program wires its own.
    init?(program: CompiledProgram, settings: RuntimeSettings) {
        let broker = settings["MqttBroker"]
        guard program.type(of: "MqttBroker") == nil, let address = MqttSettings.broker(broker) else { return nil }
        var sources: [(rank: LocationRank, instance: CompiledProgram.Instance, type: any LocationSource.Type)] = []
        for instance in program.instances {
            if let type = type(of: instance.block) as? any LocationSource.Type { sources.append((type.locationRank, instance, type)) }
        }
        let best = sources.map(\.rank).min()
        locations = sources.filter { $0.rank == best }.compactMap { source in
            let block = source.instance.block
            let table = source.instance.interface
            func text(_ pin: String?) -> String { pin.flatMap { block.value(of: $0)?.string } ?? "" }
            guard let valid = table.index(of: "xValid"), let age = table.index(of: "tAge"), let values = table.index(of: "alrValues")
            else { return nil }
            let name = text(source.type.locationNamePin).isEmpty ? source.instance.name : text(source.type.locationNamePin)
            let columns = ValueColumns.names(text("sColumns"))
            let units = text("sUnits").split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
            var s = MqttSettings(host: address.host, port: address.port, prefix: settings["MqttPrefix"],
                                 site: SiteName.resolve(settings["Site"]), location: name, columns: columns, units: units)
            (s.user, s.password, s.caFile) = (settings["MqttUser"], settings["MqttPassword"], settings["MqttCaFile"])
            let fixed = s
            let service = WorkerService("mqtt \(name)", make: { MqttClient(fixed) }, start: { $0.start() },
                                        stop: { $0.stop() }, hasEnded: { $0.hasEnded })
            return Location(name: name, block: block, service: service, columns: columns, units: units,
                            pins: (valid, age, values, table.index(of: "auiDecimals"), table.index(of: "axValid"),
                                   table.index(of: source.type.locationStatusPin) ?? valid))
        }
        if locations.isEmpty { return nil }
    }

    /// One service per location, for the runtime's group.
    var services: [any RuntimeService] { locations.map(\.service) }

    /// Each location's name and client service, for the outage lines (`SinkOutages`).
    var clients: [(location: String, service: WorkerService<MqttClient>)] { locations.map { ($0.name, $0.service) } }

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
