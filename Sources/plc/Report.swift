import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCReport

/// `plc report`: kWh per location and period from a site's CSV folders.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "kWh per location and period from CSV folders, with peak demand, data quality, SVG and HTML.",
        discussion: """
            Reads <folder>/<Location>/energy_YYYY-MM-DD.csv and rx380_data_YYYY-MM-DD.csv (or a folder of \
            such files as one location), one file at a time. Dates are local; --to is inclusive. A bad \
            file exits 2 with file:line: problem.
            """
    )

    @Argument(help: "The site folder: one sub-folder per location, or the CSV files of one location.")
    var folder: String?

    @Option(help: "Period length: hour, day or month; location: one row per location with base load and after-hours use.")
    var by: String = "day"

    @Option(help: "First local date, YYYY-MM-DD.")
    var from: String?

    @Option(help: "Last local date (inclusive), YYYY-MM-DD.")
    var to: String?

    @Option(help: "Output: table, csv (period,location,kwh,source) or json.")
    var format: String = "table"

    @Option(help: "Write the heatmap (locations x hour of day, kWh) as SVG to this file.")
    var svg: String?

    @Option(help: "Write a self-contained HTML report to this file.")
    var html: String?

    @Option(name: .customLong("max-power"), help: "The meters' maximum power in kW: a faster counter rise is a spike (0: no check).")
    var maxPower: Double = 0

    @OptionGroup var insightOptions: InsightOptions

    @Flag(help: "Print the time taken and the rows read per second to standard error.")
    var timing = false

    @OptionGroup var sql: ReportSqlOptions

    func run() throws {
        let byLocation = by == "location"
        guard let period = ReportQuery.Period(rawValue: byLocation ? "day" : by) else {
            throw fail("plc report: --by must be hour, day, month or location, not '\(by)'")
        }
        let insightWanted = try insightOptions.options(byLocation: byLocation)
        guard ["table", "csv", "json"].contains(format) else {
            throw fail("plc report: --format must be table, csv or json, not '\(format)'")
        }
        let fromDay = try from.map { try Self.date($0, "--from") }
        let toDay = try to.map { try Self.date($0, "--to") }
        if let fromDay, let toDay, toDay < fromDay { throw fail("plc report: --to \(to!) is before --from \(from!)") }
        let start = Date()
        let report: EnergyReport
        var site: SiteFolder?
        var insight: EnergyInsight?
        let query = ReportQuery(by: period, from: fromDay, to: toDay, maxPower: maxPower)
        do {
            if let connection = sql.sql {
                (report, insight) = try sql.reportAndInsight(connection, query: query, folder: folder, timing: timing, insight: insightWanted)
            } else {
                guard let folder else { throw fail("plc report: give a site folder or --sql CONNECTION") }
                let folderSite = try SiteFolder(folder)
                site = folderSite
                report = try EnergyReport(site: folderSite, query: query)
            }
        } catch let error as ReportError {
            throw fail(error)
        }
        if insight == nil {
            insight = try insightWanted.flatMap { options in try site.map { try InsightOptions.insight(options, site: $0, query: query) } }
        }
        if let insight {
            emit(insightOptions.text(format, report, insight, byLocation: byLocation))
        } else {
            switch format {
            case "csv": emit(ReportText.csv(report))
            case "json": emit(ReportText.json(report))
            default: emit(ReportText.table(report))
            }
        }
        let marks = insight.map(InsightText.heatmapMarks) ?? [:]
        for (path, text) in [(svg, Heatmap.svg(report, marks: marks)),
                             (html, HTMLReport.page(report, marks: marks, insight: insight.map(InsightText.sections) ?? ""))] {
            guard let path else { continue }
            do {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw fail("\(path): cannot write: \(error.plainDescription)")
            }
        }
        if timing {
            let seconds = Date().timeIntervalSince(start)
            let readings = report.locations.reduce(0) { $0 + $1.readings }
            note(String(printf: "plc report: %ld readings of %ld locations in %.2f s (%.0f readings/s)",
                        readings, report.locations.count, seconds, Double(readings) / max(seconds, 1e-9)))
        }
    }

    static func date(_ text: String, _ option: String) throws -> Int {
        guard let day = LocalTime.parseDate(text) else { throw fail("plc report: \(option) '\(text)' is not a date YYYY-MM-DD") }
        return day
    }
}
