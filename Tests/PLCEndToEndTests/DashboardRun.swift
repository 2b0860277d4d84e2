import Foundation
import PLCHttp
import PLCMeters
import PLCModbus

/// `plc run programs/rx380_main --simulate` with the dashboard on a free loopback port, a CSV
/// folder seeded with today's energy rows, and helpers to talk to it as a browser would.
final class DashboardRun {
    let port: Int
    let folder: URL
    let process: BackgroundProcess
    let started = Date()
    /// kWh the seeded CSV file holds for today.
    static let seededToday = 37.0

    /// Starts the run; `simulate` false leaves the bus to `extra` settings (e.g. a separate `plc simulate`).
    init(simulate: Bool = true, extra: [String] = [], environment: [String: String] = [:]) throws {
        port = freePort()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("plc-dash-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        let today = formatter.string(from: Date())
        let header = "timestamp,voltage_l12,voltage_l23,voltage_l31,voltage_l1,voltage_l2,voltage_l3,current_l1,current_l2,current_l3,total_real_power,total_power_factor,frequency,total_real_energy\n"
        try (header + "\(today) 00:00:00,,,,,,,,,,,,,12300\n\(today) 00:05:00,,,,,,,,,,,,,12337\n")
            .write(to: folder.appendingPathComponent("rx380_data_\(today).csv"), atomically: true, encoding: .utf8)
        process = try BackgroundProcess(PLCCommand.executable.path, [
            "run", "programs/rx380_main", "--set", "HttpListen=127.0.0.1:\(port)",
            "--set", "CsvFolder=\(folder.path)", "--set", "ErrorLogFile=\(folder.path)/rx380.log",
            "--set", "LogInterval=T#24h", "--set", "PollInterval=T#500ms",
        ] + (simulate ? ["--simulate"] : []) + extra, environment: environment)
        guard process.waitForErrorLine(timeout: 30, { $0.contains("dashboard on http://127.0.0.1:\(port)/") }) != nil else {
            throw PeerError("no dashboard line: \(process.errorOutput.suffix(5).joined(separator: "\n"))")
        }
        // Wait for the first good read.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let values = try? values(), values.state == "ok" { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw PeerError("no good values within 20 s: \(process.errorOutput.suffix(5).joined(separator: "\n"))")
    }

    /// Polls /api/values until the location's state is `state`; true when it got there within `timeout` s.
    func waitForState(_ state: String, timeout: TimeInterval = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? values().state) == state { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    deinit {
        process.stop(signal: SIGINT)
        try? FileManager.default.removeItem(at: folder)
    }

    /// The one location of /api/values: its state and its values by quantity.
    func values() throws -> (name: String, state: String, error: String, values: [String: Double], texts: [String: String],
                             qualities: [String: String]) {
        let reply = try HTTP.request(port: port, path: "/api/values")
        guard reply.status == 200, let json = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any],
              let locations = json["locations"] as? [[String: Any]], let location = locations.first else {
            throw PeerError("bad /api/values: \(reply.status) \(reply.body.prefix(200))")
        }
        var values: [String: Double] = [:], texts: [String: String] = [:], qualities: [String: String] = [:]
        for q in location["values"] as? [[String: Any]] ?? [] {
            guard let name = q["quantity"] as? String else { continue }
            if let v = q["value"] as? Double { values[name] = v }
            texts[name] = q["text"] as? String
            qualities[name] = q["quality"] as? String
        }
        return (location["name"] as? String ?? "", location["state"] as? String ?? "", location["error"] as? String ?? "",
                values, texts, qualities)
    }

    /// The page at `path` as headless Chromium renders it (scripts run) with every host but loopback unreachable.
    func renderedDOM(_ path: String) throws -> String {
        let chromium = try BackgroundProcess("/usr/bin/chromium", [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=127.0.0.1", "--window-size=420,900", "--virtual-time-budget=3000",
            "--dump-dom", "http://127.0.0.1:\(port)\(path)",
        ])
        chromium.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        return chromium.output.joined(separator: "\n")
    }
}

/// Checks values against the simulator: the register map at some time since start, decoded as rx380_main does.
enum SimulatedRX380 {
    /// (column, register address, kind, factor, decimals) as programs/rx380_main wires them.
    static let columns: [(String, Int, String, Double, Int)] = [
        ("voltage_l12", 4028, "u32", 0.1, 1), ("voltage_l23", 4030, "u32", 0.1, 1), ("voltage_l31", 4032, "u32", 0.1, 1),
        ("voltage_l1", 4034, "u32", 0.1, 1), ("voltage_l2", 4036, "u32", 0.1, 1), ("voltage_l3", 4038, "u32", 0.1, 1),
        ("current_l1", 4020, "u32", 0.001, 3), ("current_l2", 4022, "u32", 0.001, 3), ("current_l3", 4024, "u32", 0.001, 3),
        ("total_real_power", 4012, "i32", 1, 0), ("total_power_factor", 4018, "i16", 0.001, 3),
        ("frequency", 4019, "u16", 0.01, 2), ("total_real_energy", 4002, "u32", 1, 0),
    ]

    static func decode(_ registers: [UInt16], _ column: (String, Int, String, Double, Int)) -> Double {
        let hi = UInt32(registers[column.1 - 4000]), lo = UInt32(column.1 - 3999 < registers.count ? registers[column.1 - 3999] : 0)
        let raw: Double = switch column.2 {
        case "u32": Double(hi << 16 | lo)
        case "i32": Double(Int32(bitPattern: hi << 16 | lo))
        case "i16": Double(Int16(bitPattern: UInt16(hi)))
        default: Double(hi)
        }
        return raw * column.3
    }

    /// The simulator time (s) at which every value matches within one step of its resolution, or nil.
    /// `plc run --simulate` serves meters/rx380.yaml at slave 1; a fresh simulated meter read from
    /// time 0 on (its energy counter integrates its power) gives the registers at each time.
    static func matchingTime(_ values: [String: Double], within seconds: Double) -> Double? {
        guard let model = try? MeterCatalog.standard(near: PLCCommand.root.appendingPathComponent("programs/rx380_main").path)
            .load("rx380") else { return nil }
        let meter = SimulatedMeter(model: model, slave: 1)
        var t = 0.0
        while t <= seconds {
            if case .success(let registers) = meter.read(function: 4, address: 4000, count: 46, seconds: t),
               columns.allSatisfy({ c in
                   guard let v = values[c.0] else { return false }
                   return abs(decode(registers, c) - v) <= 1.01 * pow(10, -Double(c.4))
               }) { return t }
            t += 0.002
        }
        return nil
    }
}

/// The tests' HTTP client: PLCHttp's loopback client, failing the test on a socket error.
enum HTTP {
    static func request(port: Int, path: String, method: String = "GET", body: String = "") throws -> LoopbackClient.Reply {
        guard let reply = LoopbackClient.request(port: port, path: path, method: method, body: body) else {
            throw PeerError("\(method) \(path): no reply from port \(port)")
        }
        return reply
    }
}
