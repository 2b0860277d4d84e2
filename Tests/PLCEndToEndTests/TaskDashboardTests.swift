import Foundation
import Testing

/// programs/two_tasks (a 100 ms bus task and a 1 s logging task) with `--simulate`, the dashboard
/// and `--monitor`: what a user of a `tasks:` program sees.
@Suite("Tasks: programs/two_tasks with --simulate, the dashboard and --monitor", .serialized)
struct TaskDashboardTests {
    @Test("values cross from the bus task to the logging task; /metrics has each task's statistics; retained values are marked")
    func twoTasksWithDashboard() throws {
        let port = freePort()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plc-tasks-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = try BackgroundProcess(PLCCommand.executable.path, [
            "run", "programs/two_tasks", "--simulate", "--set", "HttpListen=127.0.0.1:\(port)", "--set", "CsvFolder=\(folder)/csv",
            "--set", "StateFolder=\(folder)/state", "--set", "LogInterval=T#2s", "--set", "PollInterval=T#300ms",
            "--monitor", "reader.xValid,rows.CV,csvLog.udiRowsWritten",
        ])
        defer { process.stop(signal: SIGKILL) }
        guard process.waitForErrorLine(timeout: 30, { $0.contains("dashboard on http://127.0.0.1:\(port)/") }) != nil else {
            Issue.record("no dashboard line: \(process.errorOutput.suffix(5))")
            return
        }
        // /api/values: the meter's location, read by the bus task, with all 13 values.
        var location: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let reply = try HTTP.request(port: port, path: "/api/values")
            let json = try? JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
            if let first = (json?["locations"] as? [[String: Any]])?.first, first["state"] as? String == "ok" {
                location = first
                break
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(location["name"] as? String == "Main", "\(location)")
        #expect((location["values"] as? [[String: Any]])?.count == SimulatedRX380.columns.count, "\(location)")

        // /metrics: prometheus_client's parser, then one series per task.
        let check = try BackgroundProcess("/usr/bin/env", ["python3", "Tests/peers/metrics_check.py", String(port), "Main"]
            + SimulatedRX380.columns.map(\.0))
        check.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        #expect(check.output.last == "PASS", "\(check.output.suffix(3)) \(check.errorOutput.suffix(3))")
        let tasks = try BackgroundProcess("/usr/bin/env", ["python3", "-c", Self.taskMetrics, String(port)])
        tasks.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        #expect(tasks.output.last == "bus 0.1 log 1", "\(tasks.output.suffix(3)) \(tasks.errorOutput.suffix(3))")

        // /api/online: the retained blocks are marked; the exchange variables between tasks are not shown.
        let online = try HTTP.request(port: port, path: "/api/online")
        let instances = ((try? JSONSerialization.jsonObject(with: Data(online.body.utf8)) as? [String: Any])?["instances"]
            as? [[String: Any]]) ?? []
        func pin(_ instance: String, _ name: String) -> [String: Any]? {
            (instances.first { $0["name"] as? String == instance }?["pins"] as? [[String: Any]])?.first { $0["name"] as? String == name }
        }
        #expect(pin("rows", "CV")?["retain"] as? String == "RETAIN", "\(online.body.prefix(300))")
        #expect(pin("failures", "CV")?["retain"] as? String == "PERSISTENT")
        #expect(pin("reader", "xValid") != nil && pin("reader", "xValid")?["retain"] == nil)
        #expect(pin("", "PollInterval") != nil && !online.body.contains("_x_"), "\(online.body.prefix(300))")
        let runtime = try HTTP.request(port: port, path: "/runtime")
        #expect(runtime.body.contains("<h2>Task bus</h2>") && runtime.body.contains("<h2>Task log</h2>"), "\(runtime.body.prefix(300))")
        let page = try HTTP.request(port: port, path: "/online")
        #expect(page.body.contains(">RETAIN</span>") && page.body.contains(">PERSISTENT</span>"))

        // The logging task wrote rows of the bus task's values; --monitor printed a line per scan of the first task.
        #expect(process.waitForLine(timeout: 30) { line in
            let cells = line.split(separator: ",")
            return cells.count == 5 && cells[2] == "TRUE" && (Int(cells[4]) ?? 0) >= 2
        } != nil, "\(process.output.suffix(3))")
        #expect(process.stop(signal: SIGINT) == 0, "\(process.errorOutput.suffix(12))")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/csv")) ?? []
        let rows = files.flatMap { file in
            ((try? String(contentsOfFile: folder + "/csv/" + file, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst()
        }
        #expect(!rows.isEmpty && rows.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 14 }, "\(rows.prefix(2))")
        #expect(rows.contains { row in Double(row.split(separator: ",")[4]).map { $0 > 100 } ?? false }, "a voltage in \(rows.prefix(2))")
        let stderr = process.errorOutput.joined(separator: "\n")
        #expect(stderr.contains("task bus\nscans") && stderr.contains("task log\nscans"), "\(stderr.suffix(600))")
    }

    @Test("plc check and plc export st name each task's Codesys settings and blocks, declares the retained blocks, and blark parses it")
    func exportNamesTheTasks() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plc-tasks-st-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let check = try PLCCommand.run(["check", "programs/two_tasks"])
        #expect(check.stdout.split(separator: "\n").first?.hasSuffix(
            "6 blocks, tasks bus every T#100ms (priority 5), log every T#1000ms (priority 20)") == true, "\(check.stdout.prefix(200))")
        let export = try PLCCommand.run(["export", "st", "programs/two_tasks", "--output", folder])
        #expect(export.status == 0, "\(export.stderr)")
        let text = (try? String(contentsOfFile: folder + "/two_tasks.st", encoding: .utf8)) ?? ""
        #expect(text.contains("     bus: Priority 5, Type Cyclic, Interval T#100ms, Watchdog T#500ms, Sensitivity 3\n"
                              + "       blocks: pollTimer, reader, failures\n"), "\(text.prefix(900))")
        #expect(text.contains("     log: Priority 20, Type Cyclic, Interval T#1000ms, Watchdog T#5000ms, Sensitivity 2\n"))
        #expect(text.contains("call it from task bus"))
        #expect(text.contains("VAR RETAIN\n    rows : CTU;\nEND_VAR") && text.contains("VAR PERSISTENT\n    failures : CTU;\nEND_VAR"))
        let parsed = try CodesysPortTests.blark(folder)
        #expect(parsed.status == 0 && parsed.summary?.programs.contains("two_tasks") == true, "\(parsed.stderr.suffix(400))")
        // The exported PROGRAM is the twin: one task, at the first task's period, and it says so.
        let reference = PLCCommand.root.appendingPathComponent("st-reference").path
        for name in try FileManager.default.contentsOfDirectory(atPath: reference) where name.hasSuffix(".st") {
            if !FileManager.default.fileExists(atPath: folder + "/" + name) {
                try FileManager.default.copyItem(atPath: reference + "/" + name, toPath: folder + "/" + name)
            }
        }
        let twin = try PLCCommand.run(["run", "programs/two_tasks", "--twin", "--st", folder, "--simulate", "--cycles", "5",
                                       "--set", "StateFolder=\(folder)/state", "--set", "CsvFolder=\(folder)/csv"])
        #expect(twin.status == 0, "\(twin.stderr.suffix(400))")
        #expect(twin.stderr.contains("the ST twin runs as one task (the PROGRAM two_tasks) at the period of task bus, T#100ms"))
        #expect(twin.stderr.contains("scans        5 at T#100ms"), "\(twin.stderr.suffix(400))")
    }

    /// Prints `bus <interval> log <interval>` when /metrics has each task's series and both grew.
    static let taskMetrics = """
        import sys, time, urllib.request
        from prometheus_client.parser import text_string_to_metric_families
        def scrape():
            text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=10).read().decode()
            return {(s.name, s.labels.get("task")): s.value for f in text_string_to_metric_families(text) for s in f.samples}
        a = scrape(); time.sleep(2.5); b = scrape()
        for t in ("bus", "log"):
            assert b[("plc_scan_duration_seconds_count", t)] > a[("plc_scan_duration_seconds_count", t)], t
        print(f'bus {b[("plc_scan_interval_seconds", "bus")]:g} log {b[("plc_scan_interval_seconds", "log")]:g}')
        """
}
