import ArgumentParser
import PLCReport

/// `plc report`'s options for cost, base load, after-hours use and anomalies (docs/energy-insight.md).
struct InsightOptions: ParsableArguments {
    @Option(help: "A tariff file, or NAME for tariffs/NAME.yaml: adds cost per location, period and tariff period (csv: a cost column).")
    var tariff: String?

    @Option(help: "Opening hours (a YAML file with 'opening:'), when the tariff has none: adds after-hours kWh.")
    var opening: String?

    @Flag(help: "Flag hours and days unusual against the same hour of the last --weeks weeks (csv: a flags column).")
    var anomalies = false

    @Option(help: "Weeks of history for --anomalies (3 to 12).")
    var weeks: Int = 4

    /// What to compute, or nil when no insight was asked for.
    func options(byLocation: Bool) throws -> EnergyInsight.Options? {
        guard byLocation || tariff != nil || opening != nil || anomalies else { return nil }
        guard (3...12).contains(weeks) else { throw fail("plc report: --weeks must be 3 to 12, not \(weeks)") }
        var options = EnergyInsight.Options(anomalyWeeks: anomalies ? weeks : nil)
        do throws(ReportError) {
            if let tariff { options.tariff = try Tariff.load(tariff) }
            if let opening { options.opening = try Tariff.loadOpening(opening) }
        } catch {
            throw fail(error)
        }
        return options
    }

    /// The insight for `query`, reading history before its first day when the anomaly check needs it.
    static func insight(_ options: EnergyInsight.Options, site: SiteFolder, query: ReportQuery) throws -> EnergyInsight {
        var history = query
        history.from = query.from.map { $0 - options.historyDays }
        do {
            let window = options.tariff?.demandWindowSeconds ?? LocationEnergy.slotSeconds
            let read = try EnergyReport.energies(site: site, query: history, window: window)
            return EnergyInsight(read.halfHours, windows: read.windows, query: query, options: options)
        } catch {
            throw fail(error)
        }
    }
}

extension InsightOptions {
    /// The report with its insight in `format`.
    func text(_ format: String, _ report: EnergyReport, _ insight: EnergyInsight, byLocation: Bool) -> String {
        switch (format, byLocation) {
        case ("csv", true): InsightText.locationsCSV(report, insight)
        case ("csv", false): InsightText.csv(report, insight, flags: anomalies)
        case ("json", _): InsightText.json(report, insight)
        case (_, true): InsightText.locationsTable(report, insight)
        default: ReportText.table(report) + InsightText.periodCosts(insight, by: report.by) + InsightText.sections(insight)
        }
    }
}
