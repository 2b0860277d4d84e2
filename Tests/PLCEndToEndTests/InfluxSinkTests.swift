import Foundation
import Testing

/// The worked-example sink (docs/architecture.md, "Extending"): `InfluxFile` gets one InfluxDB
/// line-protocol line per new reading of each location.
@Suite("InfluxDB line-protocol file sink", .serialized)
struct InfluxSinkTests {
    /// `measurement,tag=v,... field=number,... timestamp`, with `\,` `\=` `\ ` escapes: the parts, or nil.
    static func parse(_ line: String) -> (tags: [String: String], fields: [String: Double], ns: Int64)? {
        var parts: [String] = [], current = "", escaped = false
        for c in line {
            if escaped { current.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == " " { parts.append(current); current = ""; continue }
            current.append(c == "," || c == "=" ? Character(c == "," ? "\u{1}" : "\u{2}") : c)
        }
        parts.append(current)
        guard parts.count == 3, let ns = Int64(parts[2]) else { return nil }
        let head = parts[0].split(separator: "\u{1}").map(String.init)
        guard head.first == "plc" else { return nil }
        var tags: [String: String] = [:], fields: [String: Double] = [:]
        for tag in head.dropFirst() {
            let kv = tag.split(separator: "\u{2}", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { return nil }
            tags[kv[0]] = kv[1]
        }
        for field in parts[1].split(separator: "\u{1}") {
            let kv = field.split(separator: "\u{2}", maxSplits: 1).map(String.init)
            guard kv.count == 2, let value = Double(kv[1]) else { return nil }
            fields[kv[0]] = value
        }
        return (tags, fields, ns)
    }

    @Test("plc run site_main --simulate --set InfluxFile=...: lines for its three locations, escaped, with the readings")
    func siteMainLines() throws {
        let dir = try scratchFolder("influx")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/site.lp"
        let process = try BackgroundProcess(PLCCommand.executable.path, [
            "run", "programs/site_main", "--simulate", "--set", "InfluxFile=\(path)", "--set", "Site=pi 7,a",
            "--set", "CsvFolder=\(dir)/csv", "--set", "ErrorLogFile=\(dir)/site.log", "--set", "PollInterval=T#500ms",
        ])
        defer { process.stop(signal: SIGINT) }
        var lines: [String] = []
        let deadline = Date().addingTimeInterval(60)          // hang guard
        while Date() < deadline {
            lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            if Set(lines.compactMap { Self.parse($0)?.tags["location"] }).count == 3 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let parsed = lines.compactMap(Self.parse)
        #expect(parsed.count == lines.count && !lines.isEmpty, "\(lines.prefix(3)) \(process.errorOutput.suffix(5))")
        #expect(Set(parsed.compactMap { $0.tags["location"] }) == ["Office", "Production", "Aircon"])
        #expect(parsed.allSatisfy { $0.tags["site"] == "pi 7,a" }, "the site's space and comma are escaped: \(lines.first ?? "")")
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        for p in parsed {
            #expect(abs(now - p.ns) < 600_000_000_000, "a wall-clock time stamp in ns")
            #expect((200...260).contains(p.fields["voltage_l1"] ?? 0), "\(p.fields)")
            #expect((p.fields["total_real_energy"] ?? 0) > 0, "\(p.fields)")
        }
    }
}
