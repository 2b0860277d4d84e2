#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// The CSV files of a site: `<folder>/<Location>/*.csv`, or a folder of CSV files as one location.
public struct SiteFolder: Sendable {
    /// One location: its name and its day files, oldest first, with their dates.
    public struct Location: Sendable {
        public var name: String
        public var files: [(day: Int, path: String)]
    }

    /// The locations, by name.
    public let locations: [Location]

    /// Finds the locations under `path`; a folder with no day file throws a one-line error.
    public init(_ path: String) throws(ReportError) {
        let fm = FileManager.default
        var isDirectory = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory else {
            throw ReportError("\(path): no such folder")
        }
        let url = URL(fileURLWithPath: path)
        if let own = Self.dayFiles(in: path), !own.isEmpty {
            locations = [Location(name: url.standardizedFileURL.lastPathComponent, files: own)]
            return
        }
        var found: [Location] = []
        let entries = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).sorted()
        for entry in entries where !entry.hasPrefix(".") {
            let sub = url.appendingPathComponent(entry).path
            if let files = Self.dayFiles(in: sub), !files.isEmpty { found.append(Location(name: entry, files: files)) }
        }
        guard !found.isEmpty else {
            throw ReportError("\(path): no day files (expected <folder>/<Location>/energy_YYYY-MM-DD.csv or rx380_data_YYYY-MM-DD.csv)")
        }
        locations = found
    }

    /// The day files directly in `path`, oldest first; nil when it is not a readable folder.
    static func dayFiles(in path: String) -> [(day: Int, path: String)]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return nil }
        return names.compactMap { name in
            EnergyCSV.date(ofFileNamed: name).map { (day: $0, path: path + "/" + name) }
        }.sorted { $0.day != $1.day ? $0.day < $1.day : $0.path < $1.path }
    }

    /// The files to read for `query`: those in range plus the nearest one on each side, whose
    /// readings carry a gap's energy across the range's edges.
    static func files(_ files: [(day: Int, path: String)], for query: ReportQuery) -> [(day: Int, path: String)] {
        var lower = 0, upper = files.count
        if let from = query.from, let i = files.lastIndex(where: { $0.day < from }) { lower = i }
        if let to = query.to, let i = files.firstIndex(where: { $0.day > to }) { upper = i + 1 }
        return lower < upper ? Array(files[lower..<upper]) : []
    }
}
