#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PLCCore
import PLCGraph
import PLCStorage

/// The worked example of a new sink (docs/architecture.md, "Extending"): every location's new
/// readings as InfluxDB line protocol, appended to the file the `InfluxFile` setting names, one line
/// per reading (`plc,site=pi-7,location=Office voltage_l1=230.1,total_real_power=1500 <unix ns>`),
/// ready for `influx write` or Telegraf's file input. The storage writer's thread appends them, so
/// a scan never waits on the disk, and the writer's own supervision covers the sink.
final class LocationInflux {
    private var locations: [LocationReading] = []
    private let path: String
    private let site: String
    private let writer: StorageWriter

    /// The sink for a program's locations, or nil when `InfluxFile` is empty. It has no location until `add(from:)`.
    init?(settings: RuntimeSettings, writer: StorageWriter) {
        path = settings["InfluxFile"]
        guard !path.isEmpty else { return nil }
        site = SiteName.resolve(settings["Site"])
        self.writer = writer
    }

    /// Takes in the location sources (the best rank in `program`) among `blocks` (nil: every
    /// block) it does not have yet. Call after a scan of theirs: their names may be computed.
    func add(from program: CompiledProgram, blocks: Set<ObjectIdentifier>? = nil) {
        locations += LocationReading.new(in: program, among: blocks, had: locations)
    }

    /// Lets go of the locations whose blocks are in `blocks` (an online change removed them).
    func remove(blocks: Set<ObjectIdentifier>) {
        locations.removeAll { blocks.contains($0.id) }
    }

    /// Scan thread, after a scan: one line for each location whose reading is new (its age went down).
    func afterScan(wallClockNs: Int64 = Int64(Date().timeIntervalSince1970 * 1e9)) {
        for i in locations.indices {
            let location = locations[i], block = location.block
            let valid = block[pin: location.pins.valid].bool, age = block[pin: location.pins.age].time
            locations[i].lastAge = age
            guard valid, age < location.lastAge else { continue }
            let fields = zip(location.columns, location.cells(valid: valid)).compactMap { column, cell in cell.map { (column, $0) } }
            if let line = Self.line(tags: [("site", site), ("location", location.name)], fields: fields, ns: wallClockNs) {
                writer.append(line: line, to: path)
            }
        }
    }

    /// One line of InfluxDB line protocol in measurement `plc`; nil without a field (the protocol needs one).
    static func line(tags: [(String, String)], fields: [(String, String)], ns: Int64) -> String? {
        guard !fields.isEmpty else { return nil }
        let tagText = tags.filter { !$0.1.isEmpty }.map { "," + escape($0.0) + "=" + escape($0.1) }.joined()
        return "plc" + tagText + " " + fields.map { escape($0.0) + "=" + $0.1 }.joined(separator: ",") + " \(ns)"
    }

    /// A tag key, tag value or field key with the line protocol's specials (comma, equals sign, space) escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "," || c == "=" || c == " " || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
