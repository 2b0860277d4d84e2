import Foundation
import Testing

/// The dashboard of a running `plc run --simulate`, checked through its own HTTP port only.
@Suite("Dashboard: plc run --simulate --set HttpListen=...", .serialized)
struct DashboardEndToEndTests {
    @Test("/api/values shows the simulator's values, decoded and rounded as the program does")
    func apiValues() throws {
        let run = try DashboardRun()
        for _ in 0..<3 {
            let location = try run.values()
            #expect(location.name == "RX380" && location.state == "ok")
            #expect(location.values.count == SimulatedRX380.columns.count)
            let elapsed = Date().timeIntervalSince(run.started) + 1
            #expect(SimulatedRX380.matchingTime(location.values, within: elapsed) != nil,
                    "no simulator time in 0...\(Int(elapsed)) s gives \(location.values)")
            #expect(location.texts["voltage_l1"]?.split(separator: ".").last?.count == 1)
            #expect(location.texts["current_l1"]?.split(separator: ".").last?.count == 3)
            Thread.sleep(forTimeInterval: 0.7)
        }
    }

    @Test("/metrics parses with prometheus_client, with HELP/TYPE, labels, and growing counters")
    func metrics() throws {
        let run = try DashboardRun()
        let check = try BackgroundProcess("/usr/bin/env", ["python3", "Tests/peers/metrics_check.py", String(run.port), "RX380"]
            + SimulatedRX380.columns.map(\.0))
        check.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        #expect(check.process.terminationStatus == 0, "\(check.output.last ?? "") \(check.errorOutput.suffix(3))")
        #expect(check.output.last == "PASS")
    }

    @Test("unknown paths and path traversal get 404, writes get 405, and nothing changes")
    func refusals() throws {
        let run = try DashboardRun()
        for path in ["/nope", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/online/../../etc/passwd",
                     "//etc/passwd", "/api/values/../../../../etc/shadow", "/metrics%00.txt", "/static/../programs/rx380_main/program.yaml"] {
            let reply = try HTTP.request(port: run.port, path: path)
            #expect(reply.status == 404, "\(path): \(reply.status)")
            #expect(!reply.body.contains("root:") && !reply.body.contains("program:"), "\(path) leaked a file")
            #expect(reply.body.hasPrefix("not found"))
        }
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            let reply = try HTTP.request(port: run.port, path: "/api/values", method: method, body: "PollInterval=T#1ms")
            #expect(reply.status == 405, "\(method): \(reply.status)")
            #expect(reply.headers.contains("Allow: GET, HEAD"))
        }
        let page = try HTTP.request(port: run.port, path: "/")
        #expect(page.status == 200 && page.headers.contains("Content-Security-Policy: default-src 'self'"))
        let online = try HTTP.request(port: run.port, path: "/api/online")
        #expect(online.status == 200 && online.body.contains(#""name":"PollInterval","scope":"VAR","type":"TIME","value":"T#500ms""#))
    }

    @Test("headless Chromium, network off, renders every page with the location's values")
    func pages() throws {
        let run = try DashboardRun()
        let live = try run.renderedDOM("/")
        #expect(live.contains("RX380"))
        // The inline script ran (the page's Content-Security-Policy allows it) and swapped in fresh content.
        #expect(live.contains(#"data-refreshed=""#), "the page never refreshed itself")
        var shown: [String: Double] = [:]
        let row = try NSRegularExpression(pattern: #"<tr data-q="(\w+)"><td>\w+</td><td class="v">([-0-9.]+)</td>"#)
        for match in row.matches(in: live, range: NSRange(live.startIndex..., in: live)) {
            let name = String(live[Range(match.range(at: 1), in: live)!])
            shown[name] = Double(live[Range(match.range(at: 2), in: live)!])
        }
        #expect(Set(shown.keys) == Set(SimulatedRX380.columns.map(\.0)), "live page rows: \(shown.keys.sorted())")
        #expect(SimulatedRX380.matchingTime(shown, within: Date().timeIntervalSince(run.started) + 1) != nil,
                "the live page's values \(shown) are not the simulator's")

        let energy = try run.renderedDOM("/energy")
        #expect(energy.contains(#"<tr data-location="RX380"><td>RX380</td><td class="v">37.0</td><td class="v">37.0</td></tr>"#),
                "energy page: \(energy.prefix(600))")
        #expect(energy.contains("<svg"))
        // The heatmap comes from plc report's code over the same CSV files: the seeded 37 kWh of
        // today 00:00-00:05 fall in hour 0 of location RX380.
        let heatmap = energy.range(of: "kWh by hour of day").map { String(energy[$0.lowerBound...]) } ?? ""
        #expect(heatmap.contains("RX380"), "energy page: \(energy.suffix(800))")

        let runtime = try run.renderedDOM("/runtime")
        #expect(runtime.contains("Scan cycle") && runtime.contains("slave 1") && runtime.contains("start jitter p99"))
        #expect(runtime.contains("INFO - rx380_main started"))

        let online = try run.renderedDOM("/online")
        #expect(online.contains(#"<tr data-pin="PollInterval">"#) && online.contains("T#500ms"))
        for instance in ["pollTimer : TON", "readMain : ModbusRead", "display : Display", "csvLog : CSVLogger"] {
            #expect(online.contains(instance), "online view lacks \(instance)")
        }
        #expect(online.contains(#"data-pin="vL1.lrValue""#))
    }
}

@Suite("Dashboard: a meter that fails and recovers")
struct DashboardFaultTests {
    @Test("the location turns to error with the reader's text and stale values, then back to ok")
    func failing() throws {
        let port = freePort()
        let simulator = try BackgroundProcess(PLCCommand.executable.path, ["simulate", "rx380", "--tcp", "127.0.0.1:\(port)"])
        defer { simulator.stop(signal: SIGINT) }
        #expect(simulator.waitForErrorLine(timeout: 20) { $0.contains("simulator: rx380") } != nil)
        let run = try DashboardRun(simulate: false, extra: ["--set", "bus.kind=tcp", "--set", "bus.host=127.0.0.1",
                                                            "--set", "bus.port=\(port)"])
        let good = try run.values()
        simulator.send("exception 4")
        #expect(run.waitForState("error"))
        let failed = try run.values()
        #expect(failed.error.contains("exception 4"), "error text: \(failed.error)")
        #expect(Set(failed.qualities.values) == ["stale"])
        #expect(failed.values.count == good.values.count)          // the last good values stay shown
        let live = try run.renderedDOM("/")
        #expect(live.contains(#"<span class="state error">error</span>"#) && live.contains("exception 4"))
        #expect(live.contains(#"<span class="q stale">stale</span>"#))
        let metrics = try HTTP.request(port: run.port, path: "/metrics").body
        #expect(metrics.contains(#"plc_data_ok{site="#) && metrics.contains(#"location="RX380"} 0"#))
        #expect(metrics.range(of: #"plc_modbus_errors_total\{[^}]*kind="exception"\} [1-9]"#, options: .regularExpression) != nil)
        simulator.send("none")
        #expect(run.waitForState("ok"))
        #expect(Set(try run.values().qualities.values) == ["ok"])
    }
}

@Suite("Dashboard: bad HttpListen")
struct DashboardListenTests {
    @Test("a bad HttpListen value or a port in use is a one-line error, exit 2")
    func badListen() throws {
        let bad = try PLCCommand.run(["run", "programs/rx380_main", "--simulate", "--set", "HttpListen=foo", "--cycles", "3"])
        #expect(bad.status == 2)
        #expect(bad.stderr.split(separator: "\n").last == "HttpListen 'foo': 'foo' is not a port number 0 to 65535 (expected HOST:PORT, e.g. 127.0.0.1:8080)")
        let first = try DashboardRun()
        let busy = try PLCCommand.run(["run", "programs/rx380_main", "--simulate", "--set", "HttpListen=127.0.0.1:\(first.port)", "--cycles", "3"])
        #expect(busy.status == 2)
        #expect(busy.stderr.split(separator: "\n").last == "HttpListen 127.0.0.1:\(first.port): cannot listen: bind: Address already in use")
        #expect(!busy.stderr.contains("Fatal error"))
    }
}
