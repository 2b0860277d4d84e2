import PLCModbus

/// A snapshot in the Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`, one
/// family per metric name, labels for site, location and quantity, never one metric name per meter.
public enum MetricsText {
    /// The Content-Type of the format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition text of `snapshot`; `requests` is the HTTP requests served so far.
    public static func render(_ snapshot: RuntimeSnapshot, requests: UInt64) -> String {
        var out = Family.Writer(site: snapshot.site)
        out.family("plc_info", .gauge, "The running program; always 1.") {
            $0.sample(["program": snapshot.program], 1)
        }
        out.family("plc_value", .gauge, "Current value of a quantity at a location, in its unit; absent when there is none.") { f in
            for location in snapshot.locations {
                for q in location.values {
                    if let v = q.value { f.sample(["location": location.name, "quantity": q.name, "unit": q.unit], v) }
                }
            }
        }
        out.family("plc_value_good", .gauge, "1 when the quantity's value is good, 0 when stale, bad or missing.") { f in
            for location in snapshot.locations {
                for q in location.values {
                    f.sample(["location": location.name, "quantity": q.name], q.quality == .ok ? 1 : 0)
                }
            }
        }
        out.family("plc_data_ok", .gauge, "1 when a location's data source is ok, 0 when stale or in error.") { f in
            for location in snapshot.locations { f.sample(["location": location.name], location.state == .ok ? 1 : 0) }
        }
        out.family("plc_data_age_seconds", .gauge, "Age of a location's data.") { f in
            for location in snapshot.locations { f.sample(["location": location.name], Double(location.ageMs) / 1000) }
        }
        out.family("plc_forced_variables", .gauge, "Variables and pins forced in online mode (0 in normal operation).") {
            $0.sample([:], Double(snapshot.forced.count))
        }
        // One sample per task, labelled with its name, for a program with a `tasks:` list.
        let cycles = snapshot.tasks.isEmpty ? [(name: "", cycle: snapshot.cycle)] : snapshot.tasks
        func each(_ f: inout Family, _ value: (CycleFigures) -> Double, suffix: String = "") {
            for t in cycles { f.sample(t.name.isEmpty ? [:] : ["task": t.name], value(t.cycle), suffix: suffix) }
        }
        out.family("plc_scan_duration_seconds", .summary, "Execution time of the scans.") { f in
            each(&f, { Double($0.total) / 1e9 }, suffix: "_sum")
            each(&f, { Double($0.cycles) }, suffix: "_count")
        }
        out.family("plc_scan_duration_last_seconds", .gauge, "Execution time of the last scan.") { each(&$0) { Double($0.last) / 1e9 } }
        out.family("plc_scan_duration_max_seconds", .gauge, "Longest scan since start.") { each(&$0) { Double($0.max) / 1e9 } }
        out.family("plc_scan_interval_seconds", .gauge, "The task's scan period.") { each(&$0) { Double($0.intervalMs) / 1000 } }
        out.family("plc_scan_start_jitter_seconds", .gauge, "Start jitter below which the given fraction of scans started.") { f in
            for t in cycles {
                for p in t.cycle.jitterPercentiles {
                    f.sample(t.name.isEmpty ? ["quantile": number(p.fraction)] : ["task": t.name, "quantile": number(p.fraction)],
                             Double(p.ns) / 1e9)
                }
            }
        }
        out.family("plc_scan_overruns_total", .counter, "Scans that ended after the next one was due.") { each(&$0) { Double($0.overruns) } }
        out.family("plc_scan_skipped_total", .counter, "Scheduled scans skipped after overruns.") { each(&$0) { Double($0.skipped) } }
        out.family("plc_watchdog_trips_total", .counter, "Watchdog trips.") { each(&$0) { Double($0.watchdogTrips) } }
        let devices = snapshot.buses.flatMap { bus in bus.devices.map { (bus.name, String($0.slave), $0.counters) } }
        out.family("plc_modbus_requests_total", .counter, "Modbus requests sent to a device.") { f in
            for (bus, slave, n) in devices { f.sample(["bus": bus, "slave": slave], Double(n.requests)) }
        }
        out.family("plc_modbus_errors_total", .counter, "Modbus requests that failed, by kind.") { f in
            for (bus, slave, n) in devices {
                for (kind, count) in [("timeout", n.timeouts), ("crc", n.crcErrors), ("exception", n.exceptions), ("other", n.otherErrors)] {
                    f.sample(["bus": bus, "slave": slave, "kind": kind], Double(count))
                }
            }
        }
        out.family("plc_modbus_reply_seconds", .summary, "Request-to-reply time of answered Modbus requests.") { f in
            for (bus, slave, n) in devices {
                f.sample(["bus": bus, "slave": slave], Double(n.totalLatency) / 1e9, suffix: "_sum")
                f.sample(["bus": bus, "slave": slave], Double(n.answered), suffix: "_count")
            }
        }
        out.family("plc_http_requests_total", .counter, "HTTP requests the dashboard served.") { $0.sample([:], Double(requests)) }
        return out.text
    }

    /// A sample value as the format writes it: `+Inf`, `-Inf`, `NaN`, integers without a point.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// A label value with `\`, `"` and newlines escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    /// One metric family being written.
    struct Family {
        enum Kind: String { case gauge, counter, summary }

        /// Writes families one after the other; every sample gets the `site` label first.
        struct Writer {
            let site: String
            var text = ""

            mutating func family(_ name: String, _ kind: Kind, _ help: String, _ body: (inout Family) -> Void) {
                var family = Family(name: name, site: site)
                body(&family)
                text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n" + family.lines
            }
        }

        let name: String
        let site: String
        var lines = ""

        mutating func sample(_ labels: KeyValuePairs<String, String>, _ value: Double, suffix: String = "") {
            let pairs = [("site", site)] + labels.map { ($0.key, $0.value) }
            let text = pairs.map { "\($0.0)=\"\(MetricsText.escape($0.1))\"" }.joined(separator: ",")
            lines += "\(name)\(suffix){\(text)} \(MetricsText.number(value))\n"
        }
    }
}
