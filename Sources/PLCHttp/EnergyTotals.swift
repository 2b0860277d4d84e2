#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import Glibc
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
/// (meter reset or swap) counts nothing, and each increase belongs to the day (file) of its later
/// reading. Only a small summary per file is kept, and only for the files of the current month.
/// `PLCReport` (the locations issue) will replace this with its interval accounting; the Energy page
/// takes any `[EnergyTotals]`, so only `EnergyReader.totals` needs to change then.
public final class EnergyReader: Sendable {
    /// What one day's file contributes: its first and last good counter readings and the increases between them.
    struct FileSummary: Sendable, Equatable {
        var first: Double
        var last: Double
        var increase: Double
    }

    private struct Cached: Sendable {
        let size: Int
        let modified: Date
        let summary: FileSummary?
    }

    /// One summary per file read in the last call, so memory stays a few bytes per file.
    private let cache = Mutex<[String: Cached]>([:])

    public init() {}

    /// The totals of each source for the day of `now` in `timeZone` (nil: local time, from the C library).
    public func totals(_ sources: [EnergySource], now: Date = Date(), timeZone: TimeZone? = nil) -> [EnergyTotals] {
        let today = Self.day(now, timeZone)
        var result: [EnergyTotals] = []
        var used: Set<String> = []
        for source in sources {
            let subfolders = Self.subfolders(source.folder)
            if subfolders.isEmpty {
                result.append(totals(location: source.location, folder: source.folder, prefix: source.prefix,
                                     column: source.column, today: today, used: &used))
            } else {
                for sub in subfolders {
                    result.append(totals(location: sub, folder: source.folder + "/" + sub, prefix: nil,
                                         column: source.column, today: today, used: &used))
                }
            }
        }
        cache.withLock { $0 = $0.filter { used.contains($0.key) } }
        return result
    }

    /// Totals of one folder's files for the month of `today` (`YYYY-MM-DD`).
    func totals(location: String, folder: String, prefix: String?, column: String, today: String,
                used: inout Set<String>) -> EnergyTotals {
        let month = String(today.prefix(7))
        // This month's files, plus the last file before it: its last reading is the month's baseline.
        let files = Self.datedFiles(folder, prefix: prefix).filter { $0.date <= today }
        let inMonth = files.filter { $0.date.hasPrefix(month) }
        var previous = files.last { $0.date < month }.flatMap { file -> Double? in
            used.insert(folder + "/" + file.name)
            return summary(folder + "/" + file.name, column: column)?.last
        }
        var days: [EnergyTotals.Day] = []
        for file in inMonth {
            let path = folder + "/" + file.name
            used.insert(path)
            guard let s = summary(path, column: column) else { continue }
            var kwh = s.increase
            if let previous, s.first > previous { kwh += s.first - previous }
            days.append(EnergyTotals.Day(date: file.date, kwh: kwh))
            previous = s.last
        }
        return EnergyTotals(location: location, today: days.last { $0.date == today }?.kwh,
                            month: days.isEmpty ? nil : days.reduce(0) { $0 + $1.kwh }, days: days)
    }

    /// The summary of one file's good readings of `column`; nil when it has none.
    private func summary(_ path: String, column: String) -> FileSummary? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let size = Int(info.st_size)
        let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        if let hit = cache.withLock({ $0[path] }), hit.size == size, hit.modified == modified { return hit.summary }
        let summary = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Self.summarize($0, column: column) }
        cache.withLock { $0[path] = Cached(size: size, modified: modified, summary: summary) }
        return summary
    }

    /// First, last and summed increases of `column` over the rows of CSV `text`; a drop counts nothing.
    static func summarize(_ text: String, column: String) -> FileSummary? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).makeIterator()
        guard let header = lines.next()?.split(separator: ",", omittingEmptySubsequences: false)
                .map({ $0.trimmingSpacesAndNewlines() }),
              let index = header.firstIndex(of: column) else { return nil }
        var summary: FileSummary?
        while let line = lines.next() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count > index, let kwh = Double(cells[index].trimmingSpacesAndNewlines()) else { continue }
            if var s = summary {
                if kwh > s.last { s.increase += kwh - s.last }
                s.last = kwh
                summary = s
            } else {
                summary = FileSummary(first: kwh, last: kwh, increase: 0)
            }
        }
        return summary
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
            var isDirectory = false
            return FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDirectory)
                && isDirectory && !datedFiles(folder + "/" + name, prefix: nil).isEmpty
        }.sorted()
    }

    private static func isDate(_ text: String) -> Bool {
        let chars = Array(text.utf8)
        return chars.count == 10 && chars[4] == UInt8(ascii: "-") && chars[7] == UInt8(ascii: "-")
            && chars.enumerated().allSatisfy { i, c in i == 4 || i == 7 || (c >= 48 && c <= 57) }
    }

    /// `YYYY-MM-DD` of `date` in `timeZone`, or in local time (`localtime_r`) when it is nil:
    /// FoundationEssentials knows no time zone rules but UTC's.
    static func day(_ date: Date, _ timeZone: TimeZone?) -> String {
        guard let timeZone else {
            var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
            var local = tm()
            guard localtime_r(&seconds, &local) != nil else { return "" }
            return String(printf: "%04d-%02d-%02d", local.tm_year + 1900, local.tm_mon + 1, local.tm_mday)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(printf: "%04ld-%02ld-%02ld", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
