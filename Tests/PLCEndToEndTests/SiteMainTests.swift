import Foundation
import PLCMeters
import PLCModbus
import PLCStorage
import Testing

/// `plc run programs/site_main` against pymodbus serving three meters of two models on one bus.
@Suite("programs/site_main: several meters on one bus", .serialized)
struct SiteMainTests {
    /// One location of site_main: its slave, model and the engineering values put in its registers.
    struct Location {
        let name: String
        let slave: Int
        let model: String
        let values: [Double]       // in MeterModel.columns order

        var meterModel: MeterModel {
            get throws { try MeterModelLoader.load(PLCCommand.root.appendingPathComponent("meters/\(model).yaml").path) }
        }

        /// The register image: every register of the model's groups, the values encoded as the model says.
        var image: [Int: UInt16] {
            get throws {
                let model = try meterModel
                var r: [Int: UInt16] = [:]
                for g in model.groups { for a in g.registers { r[a] = 0 } }
                for (name, value) in zip(MeterModel.columns, values) {
                    guard let v = model.value(named: name) else { continue }
                    for (i, word) in v.encode(value).enumerated() { r[v.address + i] = word }
                }
                return r
            }
        }

        /// The CSV cells after the timestamp: each value with its model's decimals.
        var cells: String {
            get throws {
                let model = try meterModel
                return zip(MeterModel.columns, values).map { name, value in
                    model.value(named: name).flatMap { v in ValueColumns.format(v.decode(v.encode(value)[...]), decimals: v.decimals) } ?? ""
                }.joined(separator: ",")
            }
        }
    }

    static let locations = [
        Location(name: "Office", slave: 1, model: "rx380",
                 values: [398.1, 399.5, 400.2, 229.7, 230.1, 231.0, 10.25, 9.875, 11.004, -1500, -0.853, 50.02, 123_456]),
        Location(name: "Production", slave: 2, model: "rx380",
                 values: [401.0, 402.3, 399.9, 231.5, 232.0, 230.8, 20.5, 21.25, 19.75, 14_250, 0.912, 49.98, 654_321]),
        Location(name: "Aircon", slave: 3, model: "sdm630",
                 values: [395.2, 396.4, 397.0, 228.3, 228.9, 229.4, 5.125, 5.5, 5.25, 3_600, 0.95, 50.01, 1_234.567]),
    ]

    /// A pymodbus server with one device per location, logging `REQ fc address count start end slave`.
    final class BusPeer {
        let process: BackgroundProcess

        init(tcp port: Int? = nil, rtu device: String? = nil) throws {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("plc-bus-\(UUID().uuidString).json")
            let devices = try SiteMainTests.locations.map { location in
                "\"\(location.slave)\": {" + (try location.image).map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
            }
            try ("{" + devices.joined(separator: ", ") + "}").write(to: file, atomically: true, encoding: .utf8)
            var arguments = ["python3", "Tests/peers/modbus_peer.py", "--devices", file.path]
            if let port { arguments += ["--tcp", String(port)] }
            if let device { arguments += ["--rtu", device] }
            process = try BackgroundProcess("/usr/bin/env", arguments)
            guard process.waitForLine(timeout: 20, { $0.hasPrefix("READY") }) != nil else {
                throw PeerError("pymodbus peer did not start: \(process.errorOutput.suffix(5).joined(separator: "\n"))")
            }
            Thread.sleep(forTimeInterval: 0.3)
        }

        /// The requests logged: (slave, function, address, count, start ns, end ns).
        var requests: [(slave: Int, function: Int, address: Int, count: Int, start: Int64, end: Int64)] {
            process.output.compactMap { line in
                let f = line.split(separator: " ")
                guard f.count == 7, f[0] == "REQ", let fc = Int(f[1]), let a = Int(f[2]), let c = Int(f[3]),
                      let s = Int64(f[4]), let e = Int64(f[5]), let slave = Int(f[6]) else { return nil }
                return (slave, fc, a, c, s, e)
            }
        }

        func command(_ text: String) {
            let start = process.output.count
            process.send(text)
            process.waitForLine(from: start, timeout: 5) { $0 == "OK \(text)" }
        }

        func stop() { process.stop(signal: SIGKILL) }
    }

    /// A scratch folder for the CSV folders and the error log.
    struct Workspace {
        let dir: URL
        var csv: String { dir.appendingPathComponent("csv").path }
        var log: String { dir.appendingPathComponent("site.log").path }

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("site-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }

        /// The files and rows (header first) of one location's folder.
        func lines(_ location: String) -> (files: [String], lines: [String]) {
            let folder = csv + "/" + location
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
            let lines = files.flatMap { file in
                ((try? String(contentsOfFile: folder + "/" + file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            }
            return (files, lines)
        }

        func logLines() -> [String] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    static func start(_ ws: Workspace, _ bus: [String]) throws -> BackgroundProcess {
        try BackgroundProcess(PLCCommand.executable.path, [
            "run", PLCCommand.root.appendingPathComponent("programs/site_main").path,
            "--set", "CsvFolder=\(ws.csv)", "--set", "ErrorLogFile=\(ws.log)",
            "--set", "PollInterval=T#500ms", "--set", "LogInterval=T#1s",
        ] + bus)
    }

    static let header = "timestamp," + MeterModel.columns.joined(separator: ",")

    /// Rows per location decode to the values put in each slave; one request per group per poll.
    static func checkRun(_ ws: Workspace, _ peer: BusPeer) throws {
        for location in locations {
            let (files, lines) = ws.lines(location.name)
            #expect(files.count >= 1 && files.allSatisfy { $0.hasPrefix("energy_") && $0.hasSuffix(".csv") }, "\(files)")
            #expect(lines.first == header)
            let rows = lines.dropFirst().filter { $0 != header }
            let cells = try location.cells
            let good = rows.filter { $0.dropFirst(20) == cells[...] }
            #expect(good.count >= 3, "\(location.name): \(rows) expected cells \(cells)")
            #expect(rows.allSatisfy { $0.dropFirst(20) == cells[...] || $0.dropFirst(19) == ",,,,,,,,,,,,," },
                    "\(location.name): \(rows)")
        }
        let requests = peer.requests
        for location in locations {
            let model = try location.meterModel
            let mine = requests.filter { $0.slave == location.slave }
            // Nothing but the model's groups, and each group as often as the others (one per poll).
            let perGroup = model.groups.map { g in mine.filter { $0.function == g.function && $0.address == g.address && $0.count == g.count }.count }
            #expect(mine.count == perGroup.reduce(0, +), "\(location.name) sent requests outside its groups: \(mine)")
            #expect(perGroup.allSatisfy { $0 >= 5 && $0 >= perGroup[0] - 1 && $0 <= perGroup[0] }, "\(location.name): \(perGroup)")
        }
        let polls = locations.map { l in requests.filter { $0.slave == l.slave }.count }
        #expect(abs(polls[0] - polls[1]) <= 1 && abs(polls[2] - 2 * polls[0]) <= 2, "requests per slave: \(polls)")
        // One master on the line: no two requests ever overlap.
        let ordered = requests.sorted { $0.start < $1.start }
        for (a, b) in zip(ordered, ordered.dropFirst()) { #expect(b.start >= a.end) }
    }

    @Test("RTU on one socat pty: three slaves, two models, decoded per model, one request per group per poll, a CSV per location")
    func rtu() throws {
        let ws = try Workspace()
        let line = try SerialLine()
        let peer = try BusPeer(rtu: line.b)
        defer { peer.stop() }
        let plc = try Self.start(ws, ["--set", "bus.device=\(line.a)", "--set", "bus.parity=N",
                                      "--set", "bus.responseTimeout=T#300ms"])
        Thread.sleep(forTimeInterval: 5)
        #expect(plc.stop(signal: SIGINT) == 0, "\(plc.errorOutput.suffix(5))")
        try Self.checkRun(ws, peer)
    }

    @Test("Modbus TCP: the same three slaves behind one connection")
    func tcp() throws {
        let ws = try Workspace()
        let port = freePort()
        let peer = try BusPeer(tcp: port)
        defer { peer.stop() }
        let plc = try Self.start(ws, ["--set", "bus.kind=tcp", "--set", "bus.host=127.0.0.1", "--set", "bus.port=\(port)"])
        Thread.sleep(forTimeInterval: 5)
        #expect(plc.stop(signal: SIGINT) == 0, "\(plc.errorOutput.suffix(5))")
        try Self.checkRun(ws, peer)
    }

    @Test("one meter silent: the others' rows keep their cadence; the error log names the location once",
          arguments: ["rtu", "tcp"])
    func oneSilent(kind: String) throws {
        let ws = try Workspace()
        let line = try SerialLine()
        let port = freePort()
        let peer = try kind == "rtu" ? BusPeer(rtu: line.b) : BusPeer(tcp: port)
        defer { peer.stop() }
        let bus = kind == "rtu" ? ["--set", "bus.device=\(line.a)", "--set", "bus.parity=N"]
            : ["--set", "bus.kind=tcp", "--set", "bus.host=127.0.0.1", "--set", "bus.port=\(port)"]
        let plc = try Self.start(ws, bus + ["--set", "bus.responseTimeout=T#300ms"])
        Thread.sleep(forTimeInterval: 2.5)
        peer.command("hold 60000 3")           // the Aircon meter answers long after any timeout: silent
        Thread.sleep(forTimeInterval: 5)
        #expect(plc.stop(signal: SIGINT) == 0, "\(plc.errorOutput.suffix(5))")

        for location in Self.locations.prefix(2) {
            let rows = ws.lines(location.name).lines.dropFirst()
            let cells = try location.cells
            let good = rows.filter { $0.dropFirst(20) == cells[...] }
            #expect(good.count >= 6 && good.count >= rows.count - 1, "\(location.name): \(rows)")
            // One row per second, no gap, no repeat, through the other meter's outage.
            let breaks = RowGrid.breaks(rows, stderr: plc.errorOutput)
            #expect(breaks.isEmpty, "\(location.name): \(breaks): \(rows)")
        }
        let aircon = Array(ws.lines("Aircon").lines.dropFirst())
        #expect(aircon.suffix(3).allSatisfy { $0.dropFirst(19) == ",,,,,,,,,,,,," }, "\(aircon)")
        let log = ws.logLines()
        #expect(log.filter { $0.contains(" - ERROR - Aircon: Error reading registers 0-75 from slave 3: timeout") }.count == 1, "\(log)")
        #expect(!log.contains { $0.contains("Office:") || $0.contains("Production:") }, "\(log)")
    }
}
