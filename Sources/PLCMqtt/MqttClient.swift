import CMosquittoLoader
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore
import PLCStorage

/// The MQTT sink's worker: one libmosquitto client (MQTT 5, QoS 1) run by its own thread beside the scan.
///
/// The thread connects (blocking: name look-up, TCP, TLS), then runs libmosquitto's network loop,
/// which reconnects with back-off by itself; a connect that fails is retried here with the same
/// back-off. On every connect the client publishes the Home Assistant discovery configs (retained)
/// and `online` on the availability topic (retained), whose last will is `offline`. `stop()`
/// publishes `offline` itself and disconnects cleanly. `publish(state:)` only hands a message to
/// libmosquitto's queue: the scan never waits for the network.
public final class MqttClient: @unchecked Sendable {
    /// What the block reads each scan.
    public struct Status: Sendable, Equatable {
        public var connected = false
        /// The last reason the link went down or a connect failed; empty while connected.
        public var error = ""
        public var published: UInt64 = 0
        public var connects: UInt64 = 0
        /// Messages libmosquitto refused to queue (over the broker's maximum packet size, ...).
        public var dropped: UInt64 = 0
    }

    public let settings: MqttSettings
    public var retryMin: Int64 = 1_000
    public var retryMax: Int64 = 60_000
    private let condition = ThreadCondition()
    // Guarded by `condition`.
    private var state = Status()
    private var stopping = false
    private var offlineMid: Int32 = -1
    private var offlineAcked = false
    /// This connect attempt: the broker accepted it, or refused it (its CONNACK reason kept as the error).
    private var accepted = false
    private var refused = false
    /// Topics whose refused publish was already reported (one ERROR line per topic and reason).
    private var reportedDrops: Set<String> = []
    private let thread = WorkerThread()
    private var mosq: OpaquePointer?
    private var discovery: [(topic: String, payload: String)] = []
    /// Retained configs added by `addDiscovery`, published on every connect; guarded by `condition`.
    private var extraDiscovery: [(topic: String, payload: String)] = []

    public init(_ settings: MqttSettings) {
        self.settings = settings
    }

    public var status: Status { condition.withLock { state } }

    /// True once the worker thread has ended (after `stop`, or because it died).
    public var hasEnded: Bool { thread.hasEnded }

    /// Starts the worker thread.
    public func start() {
        thread.start(name: "plc.mqtt") { [self] in run() }
    }

    /// Publishes `offline` (retained), disconnects and ends the thread; waits at most about two seconds for the broker.
    public func stop() {
        let client: OpaquePointer? = condition.withLock {
            stopping = true
            condition.broadcast()
            return state.connected ? mosq : nil
        }
        if let client {
            var mid: Int32 = 0
            let rc = publish(client, settings.availabilityTopic, "offline", retain: true, mid: &mid)
            condition.withLock {
                offlineMid = mid
                let until = Date(timeIntervalSinceNow: 2)
                while rc == MOSQ_ERR_SUCCESS.rawValue && !offlineAcked && state.connected {
                    if !condition.wait(until: until) { break }
                }
            }
        }
        if let mosq { mosquitto_disconnect(mosq) }
        thread.join()
        if let mosq { mosquitto_destroy(mosq) }
        mosq = nil
    }

    /// Adds a retained discovery config beside the sink's own (another entity of the location's
    /// device): published now when the link is up, and again on every connect. Any thread.
    public func addDiscovery(topic: String, payload: String) {
        let client: OpaquePointer? = condition.withLock {
            extraDiscovery.append((topic, payload))
            return state.connected ? mosq : nil
        }
        guard let client else { return }
        var mid: Int32 = 0
        _ = publish(client, topic, payload, retain: true, mid: &mid)
    }

    /// Queues one state message (QoS 1, not retained); dropped when the link is down (a live value only).
    public func publish(state payload: String) {
        guard let mosq, condition.withLock({ state.connected }) else { return }
        var mid: Int32 = 0
        if publish(mosq, settings.stateTopic, payload, retain: false, mid: &mid) == MOSQ_ERR_SUCCESS.rawValue {
            condition.withLock { state.published += 1 }
        }
    }

    /// Queues one message on `topic` (QoS 1); false when the link is down.
    @discardableResult
    public func publish(topic: String, payload: String, retain: Bool) -> Bool {
        guard let mosq, condition.withLock({ state.connected }) else { return false }
        var mid: Int32 = 0
        return publish(mosq, topic, payload, retain: retain, mid: &mid) == MOSQ_ERR_SUCCESS.rawValue
    }

    /// Hands one message to libmosquitto. A message it refuses (one over the broker's maximum packet
    /// size, say) is counted in `dropped` and reported on standard error (the journal) and in the
    /// program's error log (`ErrorLogRoute`): one ERROR line per topic and reason.
    private func publish(_ client: OpaquePointer, _ topic: String, _ payload: String, retain: Bool, mid: inout Int32) -> Int32 {
        let bytes = Array(payload.utf8)
        let rc = bytes.withUnsafeBytes { mosquitto_publish(client, &mid, topic, Int32(bytes.count), $0.baseAddress, 1, retain) }
        // Not connected is the link's error, reported as such; anything else loses this message.
        guard rc != MOSQ_ERR_SUCCESS.rawValue, rc != MOSQ_ERR_NO_CONN.rawValue else { return rc }
        let reason = rc == MOSQ_ERR_OVERSIZE_PACKET.rawValue
            ? "\(bytes.count) bytes of payload, over the broker's maximum packet size"
            : String(cString: mosquitto_strerror(rc))
        let first = condition.withLock { () -> Bool in
            state.dropped += 1
            return reportedDrops.insert("\(topic) \(rc)").inserted
        }
        if first {
            let text = "MQTT publish to \(topic) dropped: \(reason) (further drops on this topic are counted, not logged)"
            Console.write("ERROR - \(text)\n", to: 2)
            ErrorLogRoute.post("ERROR", text)
        }
        return rc
    }

    // MARK: - Worker thread

    private func run() {
        if let problem = MqttLibrary.problem {
            condition.withLock { state.error = "MQTT: \(problem)" }
            return
        }
        discovery = HomeAssistant.configs(settings)
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let client = mosquitto_new(nil, true, me) else {
            condition.withLock { state.error = "MQTT: cannot create a client" }
            return
        }
        condition.withLock { mosq = client }
        _ = mosquitto_int_option(client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5)
        _ = mosquitto_threaded_set(client, true)
        _ = mosquitto_reconnect_delay_set(client, UInt32(retryMin / 1000), UInt32(retryMax / 1000), true)
        let offline = Array("offline".utf8)
        _ = mosquitto_will_set(client, settings.availabilityTopic, Int32(offline.count), offline, 1, true)
        if let problem = configure(client) {
            condition.withLock { state.error = problem }
            return
        }
        mosquitto_connect_callback_set(client) { _, object, rc in
            guard let object else { return }
            Unmanaged<MqttClient>.fromOpaque(object).takeUnretainedValue().connected(rc)
        }
        mosquitto_disconnect_callback_set(client) { _, object, rc in
            guard let object else { return }
            Unmanaged<MqttClient>.fromOpaque(object).takeUnretainedValue().disconnected(rc)
        }
        mosquitto_publish_callback_set(client) { _, object, mid in
            guard let object else { return }
            Unmanaged<MqttClient>.fromOpaque(object).takeUnretainedValue().acknowledged(mid)
        }
        var backoff = retryMin
        while !condition.withLock({ stopping }) {
            condition.withLock {
                accepted = false
                refused = false
            }
            let rc = mosquitto_connect(client, settings.host, settings.port, settings.keepAlive)
            if rc == MOSQ_ERR_SUCCESS.rawValue {
                // Returns after a clean disconnect or a fatal error, such as a refused login (a protocol
                // error to libmosquitto). The back-off starts again only after the broker accepted us.
                _ = mosquitto_loop_forever(client, 1000, 1)
                if condition.withLock({ accepted }) { backoff = retryMin }
            } else {
                let reason = rc == MOSQ_ERR_ERRNO.rawValue ? String(cString: strerror(errno)) : String(cString: mosquitto_strerror(rc))
                condition.withLock { state.error = "MQTT broker \(settings.host):\(settings.port): \(reason)" }
            }
            condition.withLock {
                let until = Date(timeIntervalSinceNow: Double(backoff) / 1000)
                while !stopping { if !condition.wait(until: until) { break } }
            }
            backoff = min(backoff * 2, retryMax)
        }
    }

    /// Credentials and TLS; a problem in words, or nil.
    private func configure(_ client: OpaquePointer) -> String? {
        do {
            if !settings.user.isEmpty {
                let password = try SecretText.expand(settings.password)
                let user = try SecretText.expand(settings.user)
                _ = mosquitto_username_pw_set(client, user, password.isEmpty ? nil : password)
            }
        } catch {
            return "MQTT credentials: \(error.message)"
        }
        if !settings.caFile.isEmpty {
            let rc = mosquitto_tls_set(client, settings.caFile, nil, nil, nil, nil)
            if rc != MOSQ_ERR_SUCCESS.rawValue { return "MQTT TLS with \(settings.caFile): \(String(cString: mosquitto_strerror(rc)))" }
        }
        return nil
    }

    private func connected(_ rc: Int32) {
        guard rc == 0 else {
            // MQTT 5 reason codes (135 not authorised, 134 bad user name or password) are 128 and up; 1-5 are MQTT 3's.
            let reason = rc >= 128 ? String(cString: mosquitto_reason_string(rc)) : String(cString: mosquitto_connack_string(rc))
            condition.withLock {
                refused = true
                state.error = "MQTT broker \(settings.host):\(settings.port) refused the connection: \(reason)"
            }
            return
        }
        guard let mosq else { return }
        var mid: Int32 = 0
        let extra = condition.withLock { extraDiscovery }
        for config in discovery + extra { _ = publish(mosq, config.topic, config.payload, retain: true, mid: &mid) }
        _ = publish(mosq, settings.availabilityTopic, "online", retain: true, mid: &mid)
        // Configs added while this connect published are not published by `addDiscovery`: here.
        let late = condition.withLock { () -> ArraySlice<(topic: String, payload: String)> in
            accepted = true
            state.connected = true
            state.error = ""
            state.connects += 1
            return extraDiscovery.dropFirst(extra.count)
        }
        for config in late { _ = publish(mosq, config.topic, config.payload, retain: true, mid: &mid) }
    }

    private func disconnected(_ rc: Int32) {
        condition.withLock {
            state.connected = false
            if rc != 0 && !stopping && !refused { state.error = "MQTT broker \(settings.host):\(settings.port): connection lost (\(String(cString: mosquitto_strerror(rc))))" }
            condition.broadcast()
        }
    }

    private func acknowledged(_ mid: Int32) {
        condition.withLock {
            if mid == offlineMid {
                offlineAcked = true
                condition.broadcast()
            }
        }
    }
}

/// libmosquitto loaded (on first use: a program without MQTT never maps it, nor libssl and
/// libcrypto) and initialised, once; `problem` says why it cannot be.
enum MqttLibrary {
    static let problem: String? = {
        if let problem = plc_mosquitto_load() { return String(cString: problem) }
        _ = mosquitto_lib_init()
        return nil
    }()
}
