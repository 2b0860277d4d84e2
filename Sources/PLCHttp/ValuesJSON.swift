#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// The JSON of `GET /api/values` (locations, cycle, buses) and `GET /api/online` (every pin).
enum ValuesJSON {
    struct Values: Encodable {
        struct Location: Encodable {
            let name: String
            let instance: String
            let state: DataState
            let error: String
            let age_ms: Int64
            let values: [Quantity]
        }
        struct Quantity: Encodable {
            let quantity: String
            let value: Double?
            let text: String
            let unit: String
            let quality: Quality
        }
        struct Cycle: Encodable {
            let cycles: UInt64
            let interval_ms: Int64
            let last_ns, min_ns, max_ns, avg_ns: Int64
            let jitter_ns: [String: Int64]
            let overruns, skipped, watchdog_trips: UInt64
        }
        struct Device: Encodable {
            let bus: String
            let slave: Int
            let requests, timeouts, crc_errors, exceptions, other_errors: UInt64
            let last_latency_ns, avg_latency_ns: Int64
        }
        let program: String
        let site: String
        let time: Double
        let locations: [Location]
        let cycle: Cycle
        let devices: [Device]
    }

    struct Online: Encodable {
        struct Instance: Encodable {
            let name: String
            let type: String
            let pins: [Pin]
        }
        struct Pin: Encodable {
            let name: String
            let scope: String
            let type: String
            let value: String
            let comment: String
            let forced: Bool
            let writable: Bool
            /// "RETAIN" or "PERSISTENT"; absent for a value that does not survive a restart.
            let retain: String?
        }
        let program: String
        let instances: [Instance]
    }

    static func values(_ s: RuntimeSnapshot) -> Data {
        let c = s.cycle
        let values = Values(
            program: s.program, site: s.site, time: s.wallClock,
            locations: s.locations.map { l in
                Values.Location(name: l.name, instance: l.instance, state: l.state, error: l.error, age_ms: l.ageMs,
                                values: l.values.map { Values.Quantity(quantity: $0.name, value: $0.value, text: $0.text, unit: $0.unit, quality: $0.quality) })
            },
            cycle: Values.Cycle(cycles: c.cycles, interval_ms: c.intervalMs, last_ns: c.last, min_ns: c.min, max_ns: c.max, avg_ns: c.average,
                                jitter_ns: Dictionary(uniqueKeysWithValues: c.jitterPercentiles.map { (percentileName($0.fraction), $0.ns) }),
                                overruns: c.overruns, skipped: c.skipped, watchdog_trips: c.watchdogTrips),
            devices: s.buses.flatMap { bus in bus.devices.map { d in
                Values.Device(bus: bus.name, slave: d.slave, requests: d.counters.requests, timeouts: d.counters.timeouts,
                              crc_errors: d.counters.crcErrors, exceptions: d.counters.exceptions, other_errors: d.counters.otherErrors,
                              last_latency_ns: d.counters.lastLatency, avg_latency_ns: d.counters.averageLatency)
            } })
        return encode(values)
    }

    static func online(_ s: RuntimeSnapshot) -> Data {
        encode(Online(program: s.program, instances: s.instances.map { i in
            Online.Instance(name: i.name, type: i.type, pins: i.pins.map {
                Online.Pin(name: $0.name, scope: $0.scope.rawValue, type: $0.type.name, value: $0.text, comment: $0.comment,
                           forced: $0.forced, writable: $0.writable, retain: $0.retain?.rawValue)
            })
        }))
    }

    private static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
