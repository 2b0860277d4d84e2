import Foundation
import PLCSql
import Testing

/// Runtime settings every program accepts (issue 28): site_main declares no HttpListen or Site,
/// yet `--set` and `--settings` give them, and `plc check` says where each value came from.
@Suite("Runtime settings for every program", .serialized)
struct RuntimeSettingsTests {
    @Test("plc check site_main lists every runtime setting with its source: default, settings file, --set")
    func checkListsSources() throws {
        let dir = try scratchFolder("settings")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let settings = dir + "/site.yaml"
        try "Site: pi-7\nMqttPrefix: home\nLogInterval: T#1m\n".write(toFile: settings, atomically: true, encoding: .utf8)
        let result = try PLCCommand.run(["check", "programs/site_main", "--settings", settings, "--set", "HttpListen=127.0.0.1:0"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        func line(_ name: String) -> String { lines.first { $0.hasPrefix(name + " ") } ?? "" }
        #expect(line("HttpListen").hasSuffix("'127.0.0.1:0'  (--set)"), "\(line("HttpListen"))")
        #expect(line("Site").hasSuffix("'pi-7'  (settings file)"))
        #expect(line("MqttPrefix").hasSuffix("'home'  (settings file)"))
        #expect(line("SqlTable").hasSuffix("'energy_readings'  (default)"))
        #expect(lines.contains { $0.contains("LogInterval") && $0.contains("T#1m") }, "a program variable from the settings file")

        // rx380_main declares its settings: their defaults are the program's.
        let rx = try PLCCommand.run(["check", "programs/rx380_main", "--set", "Site=x"])
        #expect(rx.stdout.contains("'x'  (--set)") && rx.stdout.contains("'energy_readings'  (program)"), "\(rx.stdout.suffix(500))")

        // A bad settings file names its file and line.
        try "Site: a\nBogus: 1\n".write(toFile: settings, atomically: true, encoding: .utf8)
        let bad = try PLCCommand.run(["check", "programs/site_main", "--settings", settings])
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("\(settings):2: no program variable or runtime setting 'Bogus'"), "\(bad.stderr)")
        #expect(bad.stderr.contains("runtime settings: HttpListen, Site,"), "the error lists the settings too: \(bad.stderr)")

        // A broker that is no HOST:PORT is refused at once, from --set and from the file, rather
        // than leaving MQTT silently off.
        let badSet = try PLCCommand.run(["check", "programs/site_main", "--set", "MqttBroker=127.0.0.1:1883x"])
        #expect(badSet.status == 2)
        #expect(badSet.stderr.hasPrefix("--set MqttBroker=127.0.0.1:1883x: MqttBroker '127.0.0.1:1883x': expected HOST"), "\(badSet.stderr)")
        try "Site: a\nMqttBroker: 'broker:0'\n".write(toFile: settings, atomically: true, encoding: .utf8)
        let badFile = try PLCCommand.run(["check", "programs/rx380_main", "--settings", settings])
        #expect(badFile.status == 2)
        #expect(badFile.stderr.hasPrefix("\(settings):2: MqttBroker 'broker:0'"), "\(badFile.stderr)")

        // A template with every line commented out, an empty file, an empty document: nothing set, no error.
        for text in ["# Site: pi-7\n#   MqttBroker: host:1883\n", "", "# all off\n---\n"] {
            try text.write(toFile: settings, atomically: true, encoding: .utf8)
            let none = try PLCCommand.run(["check", "programs/site_main", "--settings", settings])
            #expect(none.status == 0, "\(text.debugDescription): \(none.stderr)")
            #expect(!none.stdout.isEmpty && !none.stdout.contains("(settings file)"), "\(none.stdout)")
        }
    }

    @Test("plc run site_main --simulate --set HttpListen=...: /api/values and /metrics have its three locations")
    func siteMainDashboard() throws {
        let dir = try scratchFolder("site-dash")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = freePort()
        let process = try BackgroundProcess(PLCCommand.executable.path, [
            "run", "programs/site_main", "--simulate", "--set", "HttpListen=127.0.0.1:\(port)", "--set", "Site=pi-7",
            "--set", "CsvFolder=\(dir)/csv", "--set", "ErrorLogFile=\(dir)/site.log", "--set", "PollInterval=T#500ms",
        ])
        defer { process.stop(signal: SIGINT) }
        #expect(process.waitForErrorLine(timeout: 30, { $0.contains("dashboard on http://127.0.0.1:\(port)/") }) != nil,
                "\(process.errorOutput.suffix(5))")
        var names: [String] = [], states: [String] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let reply = try? HTTP.request(port: port, path: "/api/values"), reply.status == 200,
               let json = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any],
               let locations = json["locations"] as? [[String: Any]] {
                names = locations.compactMap { $0["name"] as? String }
                states = locations.compactMap { $0["state"] as? String }
                if states.count == 3 && states.allSatisfy({ $0 == "ok" }) { break }
            }
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(names == ["Office", "Production", "Aircon"])
        #expect(states == ["ok", "ok", "ok"])
        let metrics = try HTTP.request(port: port, path: "/metrics").body
        for location in ["Office", "Production", "Aircon"] {
            let series = metrics.split(separator: "\n").filter {
                $0.hasPrefix("plc_value{") && $0.contains("site=\"pi-7\"") && $0.contains("location=\"\(location)\"")
                    && $0.contains("quantity=\"total_real_energy\"")
            }
            #expect(series.count == 1, "energy series for \(location): \(series)")
        }
    }
}

/// site_main with the runtime's MQTT on (no MqttPublish block in the program): every location.
@Suite("MQTT for every location of site_main", .serialized)
struct SiteMainMqttTests {
    @Test("mosquitto receives state, availability and discovery for all three locations; a broker outage is one line each",
          .timeLimit(.minutes(10)))
    func everyLocation() throws {
        let broker = try MosquittoBroker()
        let sub = try MqttSubscriber(port: broker.port, topic: "plc/#")
        defer { sub.stop() }
        let dir = try scratchFolder("site-mqtt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let process = try BackgroundProcess(PLCCommand.executable.path, [
            "run", "programs/site_main", "--simulate", "--set", "MqttBroker=127.0.0.1:\(broker.port)", "--set", "Site=pi-7",
            "--set", "CsvFolder=\(dir)/csv", "--set", "ErrorLogFile=\(dir)/site.log", "--set", "PollInterval=T#500ms",
        ])
        let locations = ["Office", "Production", "Aircon"]
        MqttSinkTests.waitUntil(30) {
            locations.allSatisfy { location in
                sub.payloads("plc/pi-7/\(location)/state").contains { MqttSinkTests.json($0)?["quality"] as? String == "good" }
            }
        }
        for location in locations {
            let states = sub.payloads("plc/pi-7/\(location)/state").compactMap(MqttSinkTests.json)
            #expect(states.contains { $0["quality"] as? String == "good" && $0["total_real_energy"] is Double },
                    "\(location): \(states.prefix(2))")
            #expect(sub.payloads("plc/pi-7/\(location)/availability").first == "online", "\(location)")
        }
        let discovery = try MqttSinkTests.retained(port: broker.port, topic: "homeassistant/#")
        for location in locations {
            let configs = discovery.filter { $0.contains("plc_pi-7_\(location)".lowercased()) || $0.contains("plc_pi-7_\(location)") }
            #expect(configs.contains { $0.contains("total_real_energy") && $0.contains("total_increasing") },
                    "\(location): \(discovery.prefix(3))")
        }
        // The broker goes away for longer than the 5 s a link may be down unnoticed: one ERROR line
        // per location when the outage counts, one INFO line when the link is back.
        func logLines() -> [Substring] { ((try? String(contentsOfFile: "\(dir)/site.log", encoding: .utf8)) ?? "").split(separator: "\n") }
        sub.stop()
        broker.stop()
        MqttSinkTests.waitUntil(30) { locations.allSatisfy { !sinkLines(logLines(), "ERROR", $0, "MQTT ").isEmpty } }
        try broker.start()
        MqttSinkTests.waitUntil(90) { locations.allSatisfy { !sinkLines(logLines(), "INFO", $0, "Recovered after ").isEmpty } }
        let log = logLines()
        for location in locations {
            let raised = sinkLines(log, "ERROR", location, "MQTT ")
            let cleared = sinkLines(log, "INFO", location, "Recovered after ").filter { $0.contains("(outage 1 since start): MQTT ") }
            #expect(raised.count == 1 && cleared.count == 1, "\(location): \(log.joined(separator: "\n"))")
        }
        let after = try MqttSubscriber(port: broker.port, topic: "plc/#")
        defer { after.stop() }
        #expect(process.stop(signal: SIGINT) == 0)
        MqttSinkTests.waitUntil(10) { locations.allSatisfy { after.payloads("plc/pi-7/\($0)/availability").last == "offline" } }
        for location in locations { #expect(after.payloads("plc/pi-7/\(location)/availability").last == "offline") }
    }
}

/// site_main with the runtime's SQL on (no SqlLogger block in the program): every location's rows.
@Suite("SQL for every location of site_main", .serialized)
struct SiteMainSqlTests {
    /// (ts_local, total_real_energy) per location, as PostgreSQL holds them, in time order.
    static func table(_ connection: String) throws -> [String: [(ts: String, energy: String?)]] {
        let db = try ODBCConnection(connection)
        let rows = try db.prepare("SELECT location, ts_local, total_real_energy FROM energy_readings ORDER BY location, ts_utc",
                                  parameters: [], operation: "select").query()
        var result: [String: [(ts: String, energy: String?)]] = [:]
        for row in rows { result[row[0] ?? "", default: []].append((String((row[1] ?? "").prefix(19)), row[2])) }
        return result
    }

    /// (timestamp, total_real_energy cell) of every CSV row of one location, in file order.
    static func csv(_ folder: String) -> [(ts: String, energy: String)] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
        var rows: [(ts: String, energy: String)] = []
        for file in files {
            let lines = ((try? String(contentsOfFile: folder + "/" + file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init),
                  let column = header.firstIndex(of: "total_real_energy") else { continue }
            for line in lines.dropFirst() {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if cells.count > column { rows.append((cells[0], cells[column])) }
            }
        }
        return rows
    }

    @Test("PostgreSQL gets the rows of all three locations, equal to their CSV files, across an outage, each once",
          .timeLimit(.minutes(10)))
    func everyLocation() throws {
        let pg = try PostgresServer()
        let dir = try scratchFolder("site-sql")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let process = try BackgroundProcess(PLCCommand.executable.path, [
            "run", "programs/site_main", "--simulate", "--set", "SqlConnection=\(pg.connection)", "--set", "Site=pi-7",
            "--set", "CsvFolder=\(dir)/csv", "--set", "ErrorLogFile=\(dir)/site.log", "--set", "PollInterval=T#300ms",
            "--set", "LogInterval=T#1s",
        ])
        let locations = ["Aircon", "Office", "Production"]
        SqlSinkTests.waitUntil(30) { ((try? Self.table(pg.connection)) ?? [:]).keys.sorted() == locations }
        pg.stop()
        Thread.sleep(forTimeInterval: 4)                      // rows pile up in the CSV files
        try pg.start()
        let atRestart = locations.map { Self.csv("\(dir)/csv/\($0)").count }
        SqlSinkTests.waitUntil(60) {
            let table = (try? Self.table(pg.connection)) ?? [:]
            return zip(locations, atRestart).allSatisfy { (table[$0]?.count ?? 0) >= $1 + 1 }
        }
        // The outage is in the error log once per location: an ERROR line when it starts, an INFO
        // line when it ends (checked once a second, so the last may come a second after the rows).
        func logLines() -> [Substring] { ((try? String(contentsOfFile: "\(dir)/site.log", encoding: .utf8)) ?? "").split(separator: "\n") }
        SqlSinkTests.waitUntil(15) { locations.allSatisfy { !sinkLines(logLines(), "INFO", $0, "Recovered after ").isEmpty } }
        #expect(process.stop(signal: SIGINT) == 0, "\(process.errorOutput.suffix(5))")
        let log = logLines()
        for location in locations {
            let raised = sinkLines(log, "ERROR", location, "SQL ")
            let cleared = sinkLines(log, "INFO", location, "Recovered after ").filter { $0.contains("(outage 1 since start): SQL ") }
            #expect(raised.count == 1 && cleared.count == 1, "\(location): \(log.joined(separator: "\n"))")
        }
        let table = try Self.table(pg.connection)
        #expect(table.keys.sorted() == locations)
        for (location, before) in zip(locations, atRestart) {
            let rows = table[location] ?? []
            let csv = Self.csv("\(dir)/csv/\(location)")
            #expect(rows.count >= before + 1, "\(location): \(rows.count) rows, \(before) in the CSV at the restart")
            #expect(Set(rows.map(\.ts)).count == rows.count, "\(location): a row twice")
            #expect(rows.count <= csv.count)
            for (row, line) in zip(rows, csv.prefix(rows.count)) {
                #expect(row.ts == line.ts, "\(location): \(row.ts) vs \(line.ts)")
                #expect(line.energy.isEmpty ? row.energy == nil : row.energy.flatMap(Double.init) == Double(line.energy),
                        "\(location) at \(line.ts): \(row.energy ?? "nil") vs \(line.energy)")
            }
        }
    }
}

/// The error log lines of the runtime's own sinks at `level` that name `location` among the
/// locations they start with (`Office, Production: SQL connect failed ...`: sinks failing alike in
/// the same second share a line) and whose words after them contain `words`.
func sinkLines(_ log: [Substring], _ level: String, _ location: String, _ words: String) -> [Substring] {
    log.filter { line in
        guard let marker = line.range(of: " - \(level) - ") else { return false }
        let rest = line[marker.upperBound...]
        guard let colon = rest.range(of: ": ") else { return false }
        let labels = rest[..<colon.lowerBound].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return labels.contains(location) && rest[colon.upperBound...].contains(words)
    }
}
