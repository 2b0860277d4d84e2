#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PLCCore
import PLCGraph
import PLCHttp
import PLCMqtt
import PLCStorage

/// `plc run --anomaly-events`: every `period` seconds (and once the broker is reached), each MQTT
/// sink's location gets the last 7 days' anomaly check of the program's CSV files as a retained
/// event on `<prefix>/<site>/<location>/anomaly`, with a Home Assistant binary_sensor through
/// discovery. Both go over the sink's own client (one connection per location); the scan only
/// hands the sinks over, a worker thread reads the files and publishes.
final class AnomalyEvents: @unchecked Sendable {
    /// One sink: its client now (a new one after a restart of its service), the CSV folder, the
    /// client the binary sensor's config was last given to, and that client's connects seen.
    private struct Target {
        let client: () -> MqttClient?
        let folder: String
        var configured: MqttClient?
        var connects: UInt64 = 0
    }

    private let period: Double
    /// Scan thread only.
    private var started = false
    /// Set once by the scan thread before the worker starts, then used by the worker only.
    private var targets: [Target] = []
    private let condition = ThreadCondition()
    private var stopping = false
    private let thread = WorkerThread()

    init(period: Double = 900) { self.period = period }

    /// Scan thread, after a scan: on the first, finds the MQTT sinks (their clients run by then)
    /// and the CSV folder (wired by then) and starts the worker.
    func afterScan(_ program: CompiledProgram) {
        guard !started else { return }
        started = true
        let folders = program.instances.filter { $0.block is CSVLogger }
            .compactMap { program.value(of: "\($0.name).sFolder")?.string }.filter { !$0.isEmpty }
        guard let folder = folders.first else { return }
        for instance in program.instances {
            guard let sink = instance.block as? MqttPublish, sink.client != nil else { continue }
            targets.append(Target(client: { sink.client }, folder: folder))
        }
        guard !targets.isEmpty else { return }
        thread.start(name: "plc.anomaly") { [self] in loop() }
    }

    private func loop() {
        var next = Date()
        var pending: [Int] = []
        while true {
            if Date() >= next {
                pending = Array(targets.indices)
                next = Date().addingTimeInterval(period)
            }
            for i in targets.indices {
                guard let client = targets[i].client() else { continue }
                if targets[i].configured !== client {
                    // A new client (the sink's service restarted it): the binary sensor joins its discovery.
                    let config = AnomalyTopic.discovery(client.settings)
                    client.addDiscovery(topic: config.topic, payload: config.payload)
                    targets[i].configured = client
                    targets[i].connects = 0
                }
                // Every new connection gets the event again: a broker restarted without persistence lost it.
                let connects = client.status.connects
                if connects != targets[i].connects {
                    targets[i].connects = connects
                    if !pending.contains(i) { pending.append(i) }
                }
            }
            pending = pending.filter { i in
                guard let client = targets[i].client() else { return true }
                let settings = client.settings
                guard client.status.connected else { return true }
                let view = Run.insight([EnergySource(location: settings.location, folder: targets[i].folder, prefix: "", column: "")], tariff: nil)
                let flags = view.flags.first
                let payload = AnomalyTopic.payload(status: flags?.status ?? "not enough data",
                                                   flags: (flags?.lines ?? []).map { ($0.from, $0.what, $0.deviation) })
                return !client.publish(topic: AnomalyTopic.topic(settings), payload: payload, retain: true)
            }
            let done = condition.withLock { () -> Bool in
                let until = Date().addingTimeInterval(pending.isEmpty ? min(next.timeIntervalSinceNow, 1) : 0.5)
                while !stopping { if !condition.wait(until: until) { break } }
                return stopping
            }
            if done { return }
        }
    }

    /// Ends the worker (the sinks stop their clients).
    func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
        if !targets.isEmpty { thread.join() }
    }
}
