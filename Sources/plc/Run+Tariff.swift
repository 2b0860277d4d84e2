import Glibc
import PLCHttp
import PLCReport

extension Run {
    /// The Energy page's insight: cost with `--tariff`, and the last week's unusual hours; a bad
    /// tariff stops the run (exit 2).
    func insightHook() throws -> @Sendable ([PLCHttp.EnergySource]) -> EnergyInsightView {
        var loaded: Tariff?
        do throws(ReportError) {
            if let tariff { loaded = try Tariff.load(tariff) }
        } catch {
            throw fail(error)
        }
        return { [loaded] sources in Self.insight(sources, tariff: loaded) }
    }

    /// Today's and this month's cost, and the last 7 days' flags, per location from the CSV files,
    /// computed as `plc report --tariff --anomalies` computes them.
    static func insight(_ sources: [PLCHttp.EnergySource], tariff: Tariff?, weeks: Int = 4) -> EnergyInsightView {
        var seconds = time(nil)
        var local = tm()
        localtime_r(&seconds, &local)
        let today = Int(((Double(seconds) + Double(local.tm_gmtoff)) / 86_400).rounded(.down))
        let month = ReportQuery(by: .day, from: today - Int(local.tm_mday) + 1, to: today)
        let week = ReportQuery(by: .day, from: today - 6, to: today)
        var history = week
        history.from = today - 6 - 7 * weeks
        let label = LocalTime.dateText(today)
        var view = EnergyInsightView(weeks: weeks)
        for source in sources {
            guard let site = try? SiteFolder(source.folder),
                  let read = try? EnergyReport.energies(site: site, query: history,
                                                        window: tariff?.demandWindowSeconds ?? LocationEnergy.slotSeconds) else { continue }
            let energies = read.halfHours
            let name = { (location: String) in energies.count == 1 ? source.location : location }
            if let tariff {
                let insight = EnergyInsight(energies, windows: read.windows, query: month, options: .init(tariff: tariff))
                for location in insight.locations {
                    guard let cost = location.cost else { continue }
                    view.costs.append(EnergyCost(location: name(location.name), currency: tariff.currency, tariff: tariff.name,
                                                 today: insight.rowCost[label + "|" + location.name], month: cost.energy,
                                                 demand: cost.demand.reduce(0) { $0 + $1.cost }))
                }
            }
            let checked = EnergyInsight(energies, query: week, options: .init(anomalyWeeks: weeks))
            for location in checked.locations {
                guard let check = location.anomalies else { continue }
                view.flags.append(EnergyFlags(location: name(location.name), status: check.status, lines: InsightText.flagRuns(check).map {
                    EnergyFlags.Line(from: $0.from, what: $0.kind == "hour" ? "\($0.hours) h" : "base load", deviation: $0.deviation)
                }))
            }
        }
        return view
    }
}
