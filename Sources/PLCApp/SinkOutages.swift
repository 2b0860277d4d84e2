import PLCCore
import PLCStorage

/// Once-per-outage lines for the runtime's own sinks (SQL and MQTT per location), as a program's
/// ErrorLatch and EventLog write them for its own `SqlLogger` and `MqttPublish`: one ERROR line when
/// a sink's fault starts, one INFO line when it clears, in every error log of the program and on
/// the journal.
///
/// Checked from `RuntimeAssembly.supervise` (once a second). A fault counts once it has lasted its
/// sink's `grace` (an MQTT link: 5 s without a connection, as `MqttPublish.xFault`), so a quick
/// reconnect makes no line.
struct SinkOutages {
    /// One sink: its label (the location, `Office`) and how to read its fault now (nil: working).
    struct Watch {
        let label: String
        /// The sink's service, so that a location removed online takes its watch with it.
        let owner: ObjectIdentifier
        let grace: Int64
        let fault: () -> String?
        /// When the present fault was first seen, and when its outage started (nil: none).
        var seen: Int64?
        var since: Int64?
        var text = ""
        var count: UInt32 = 0
    }

    private(set) var watches: [Watch] = []
    private var nextCheck: Int64 = 0

    mutating func add(_ label: String, owner: AnyObject, grace: Int64 = 0, fault: @escaping () -> String?) {
        watches.append(Watch(label: label, owner: ObjectIdentifier(owner), grace: grace, fault: fault))
    }

    /// Forgets the watches of `owners` (sinks an online change removed); an outage still open ends
    /// with its sink, without a line.
    mutating func remove(_ owners: [AnyObject]) {
        let ids = Set(owners.map(ObjectIdentifier.init))
        watches.removeAll { ids.contains($0.owner) }
    }

    /// Looks at every sink when a second has passed since the last look; `report` gets the level
    /// and text of each line to write. Sinks that fail or recover in the same look with the same
    /// words (twenty locations on one database server) share one line, naming them all.
    mutating func check(now: Int64, report: (String, String) -> Void) {
        guard !watches.isEmpty, now >= nextCheck else { return }
        nextCheck = now + 1_000_000_000
        var lines: [(level: String, text: String, labels: [String])] = []
        func add(_ level: String, _ text: String, _ label: String) {
            if let i = lines.firstIndex(where: { $0.level == level && $0.text == text }) { lines[i].labels.append(label) }
            else { lines.append((level, text, [label])) }
        }
        for i in watches.indices {
            let fault = watches[i].fault()
            if fault == nil { watches[i].seen = nil } else if watches[i].seen == nil { watches[i].seen = now }
            switch (fault, watches[i].since) {
            case (let text?, nil) where now - (watches[i].seen ?? now) >= watches[i].grace:
                watches[i].since = now
                watches[i].text = text
                watches[i].count &+= 1
                add("ERROR", text, watches[i].label)
            case (nil, let since?):
                watches[i].since = nil
                add("INFO", EventLog.recovered(afterMs: (now - since) / 1_000_000, outage: watches[i].count, text: watches[i].text),
                    watches[i].label)
            default:
                break
            }
        }
        for line in lines { report(line.level, line.labels.joined(separator: ", ") + ": " + line.text) }
    }
}
