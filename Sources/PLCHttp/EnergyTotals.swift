public import Foundation
import Synchronization

/// kWh per day for one location, from the cumulative energy column of its CSV files.
public struct EnergyTotals: Sendable, Equatable {
    public var location: String
    /// kWh consumed today (local time); nil when today has no good reading.
    public var today: Double?
    /// kWh consumed this month so far.
    public var month: Double?
    /// kWh per day of this month, `YYYY-MM-DD` ascending.
    public var days: [Day]

    /// One day's kWh.
    public struct Day: Sendable, Equatable {
        public var date: String
        public var kwh: Double

        public init(date: String, kwh: Double) {
            self.date = date
            self.kwh = kwh
        }
    }
}

/// Reads energy totals from CSV folders (`<folder>/<prefix>_YYYY-MM-DD.csv`, or one sub-folder per
/// location, as `plc report` reads them), caching each file's readings until it changes.
///
/// The energy of an interval is the sum of the counter's increases between good readings; a drop
/// (meter reset or swap) counts nothing, and each increase belongs to the day of its later reading.
/// `PLCReport` (the locations issue) will replace this with its interval accounting; the Energy page
/// takes any `[EnergyTotals]`, so only `EnergyReader.totals` needs to change then.
public final class EnergyReader: Sendable {
    private struct Cached: Sendable {
        let size: Int
        let modified: Date
        let readings: [(time: String, kwh: Double)]
    }

    private let cache = Mutex<[String: Cached]>([:])

    public init() {}

    /// The totals of each source for the local day of `now`.
    public func totals(_ sources: [EnergySource], now: Date = Date(), timeZone: TimeZone = .current) -> [EnergyTotals] {
        let today = Self.day(now, timeZone)
        var result: [EnergyTotals] = []
        for source in sources {
            let subfolders = Self.subfolders(source.folder)
            if subfolders.isEmpty {
                result.append(totals(location: source.location, folder: source.folder, prefix: source.prefix,
                                     column: source.column, today: today))
            } else {
                for sub in subfolders {
                    result.append(totals(location: sub, folder: source.folder + "/" + sub, prefix: nil,
                                         column: source.column, today: today))
                }
            }
        }
        return result
    }

    /// Totals of one folder's files for the month of `today` (`YYYY-MM-DD`).
    func totals(location: String, folder: String, prefix: String?, column: String, today: String) -> EnergyTotals {
        let month = String(today.prefix(7))
        // This month's files, plus the last file before it: its last reading is the month's baseline.
        let files = Self.datedFiles(folder, prefix: prefix).filter { $0.date <= today }
        let inMonth = files.filter { $0.date.hasPrefix(month) }
        let before = files.filter { $0.date < month }.last
        var readings: [(time: String, kwh: Double)] = []
        for file in (before.map { [$0] } ?? []) + inMonth {
            readings += self.readings(folder + "/" + file.name, column: column)
        }
        var perDay: [String: Double] = [:]
        var previous: Double?
        for reading in readings {
            if let previous, reading.kwh > previous, reading.time.hasPrefix(month) {
                perDay[String(reading.time.prefix(10)), default: 0] += reading.kwh - previous
            } else if reading.time.hasPrefix(month) {
                perDay[String(reading.time.prefix(10)), default: 0] += 0
            }
            previous = reading.kwh
        }
        let days = perDay.keys.sorted().map { EnergyTotals.Day(date: $0, kwh: perDay[$0]!) }
        return EnergyTotals(location: location, today: perDay[today],
                            month: days.isEmpty ? nil : days.reduce(0) { $0 + $1.kwh }, days: days)
    }

    /// The good (timestamp, kWh) readings of one file, in file order.
    private func readings(_ path: String, column: String) -> [(time: String, kwh: Double)] {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.intValue,
              let modified = attributes[.modificationDate] as? Date else { return [] }
        if let hit = cache.withLock({ $0[path] }), hit.size == size, hit.modified == modified { return hit.readings }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).makeIterator()
        guard let header = lines.next()?.split(separator: ",", omittingEmptySubsequences: false)
                .map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }),
              let index = header.firstIndex(of: column) else { return [] }
        var result: [(time: String, kwh: Double)] = []
        while let line = lines.next() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count > index, cells[0].count >= 10,
                  let kwh = Double(cells[index].trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
            result.append((String(cells[0]), kwh))
        }
        cache.withLock { $0[path] = Cached(size: size, modified: modified, readings: result) }
        return result
    }

    /// Files named `<prefix>_YYYY-MM-DD.csv` (any prefix when nil), sorted by date.
    static func datedFiles(_ folder: String, prefix: String?) -> [(name: String, date: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.compactMap { name -> (String, String)? in
            guard name.hasSuffix(".csv"), name.count >= 15 else { return nil }
            let stem = name.dropLast(4)
            let date = String(stem.suffix(10))
            let head = stem.dropLast(10)
            guard head.hasSuffix("_"), isDate(date) else { return nil }
            if let prefix, String(head.dropLast()) != prefix { return nil }
            return (name, date)
        }.sorted { $0.1 < $1.1 }
    }

    /// Sub-folders of `folder` that hold dated CSV files: one location each.
    static func subfolders(_ folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDirectory)
                && isDirectory.boolValue && !datedFiles(folder + "/" + name, prefix: nil).isEmpty
        }.sorted()
    }

    private static func isDate(_ text: String) -> Bool {
        let chars = Array(text.utf8)
        return chars.count == 10 && chars[4] == UInt8(ascii: "-") && chars[7] == UInt8(ascii: "-")
            && chars.enumerated().allSatisfy { i, c in i == 4 || i == 7 || (c >= 48 && c <= 57) }
    }

    /// `YYYY-MM-DD` of `date` in `timeZone`.
    static func day(_ date: Date, _ timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
