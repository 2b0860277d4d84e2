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
/// discovery. A client of its own per location, beside the sink's; the scan only starts it.
final class AnomalyEvents: @unchecked Sendable {
    private let period: Double
    /// Scan thread only.
    private var started = false
    /// Set once by the scan thread before the worker starts, then read by the worker only.
    private var targets: [(client: MqttClient, location: String, folder: String)] = []
    private let condition = ThreadCondition()
    private var stopping = false
    private let thread = WorkerThread()

    init(period: Double = 900) { self.period = period }

    /// Scan thread, after a scan: on the first, reads the MQTT sinks' settings and the CSV folder
    /// (wired by then) and starts the clients and the worker.
    func afterScan(_ program: CompiledProgram) {
        guard !started else { return }
        started = true
        let folders = program.instances.filter { $0.block is CSVLogger }
            .compactMap { program.value(of: "\($0.name).sFolder")?.string }.filter { !$0.isEmpty }
        guard let folder = folders.first else { return }
        for instance in program.instances where instance.block is MqttPublish {
            let pin = { (name: String) in program.value(of: "\(instance.name).\(name)")?.string ?? "" }
            guard let broker = MqttSettings.broker(pin("sBroker")) else { continue }
            var settings = MqttSettings(host: broker.host, port: broker.port, prefix: pin("sPrefix"),
                                        site: pin("sSite").isEmpty ? ProcessInfo.processInfo.hostName : pin("sSite"),
                                        location: pin("sLocation"), columns: [], units: [])
            (settings.user, settings.password, settings.caFile) = (pin("sUser"), pin("sPassword"), pin("sCaFile"))
            let client = MqttClient(settings)
            client.extraDiscovery = [AnomalyTopic.discovery(settings)]
            client.start()
            targets.append((client, settings.location, folder))
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
            pending = pending.filter { i in
                let target = targets[i]
                guard target.client.status.connected else { return true }
                let view = Run.insight([EnergySource(location: target.location, folder: target.folder, prefix: "", column: "")], tariff: nil)
                let flags = view.flags.first
                let payload = AnomalyTopic.payload(status: flags?.status ?? "not enough data",
                                                   flags: (flags?.lines ?? []).map { ($0.from, $0.what, $0.deviation) })
                return !target.client.publish(topic: AnomalyTopic.topic(target.client.settings), payload: payload, retain: true)
            }
            let done = condition.withLock { () -> Bool in
                let until = Date().addingTimeInterval(pending.isEmpty ? min(next.timeIntervalSinceNow, 1) : 0.5)
                while !stopping { if !condition.wait(until: until) { break } }
                return stopping
            }
            if done { return }
        }
    }

    /// Ends the worker and the clients.
    func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
        if !targets.isEmpty { thread.join() }
        for target in targets { target.client.stop() }
    }
}
