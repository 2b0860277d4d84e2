import Glibc
import PLCHttp
import PLCReport

extension Run {
    /// The Energy page's cost for `--tariff`, or nil without one; a bad tariff stops the run (exit 2).
    func costHook() throws -> (@Sendable ([PLCHttp.EnergySource]) -> [EnergyCost])? {
        guard let tariff else { return nil }
        let loaded: Tariff
        do {
            loaded = try Tariff.load(tariff)
        } catch {
            throw fail(error)
        }
        return { sources in Self.cost(sources, tariff: loaded) }
    }

    /// Today's and this month's cost per location, from the CSV files, as `plc report --tariff` computes it.
    static func cost(_ sources: [PLCHttp.EnergySource], tariff: Tariff) -> [EnergyCost] {
        var seconds = time(nil)
        var local = tm()
        localtime_r(&seconds, &local)
        let today = Int(((Double(seconds) + Double(local.tm_gmtoff)) / 86_400).rounded(.down))
        let query = ReportQuery(by: .day, from: today - Int(local.tm_mday) + 1, to: today)
        let label = LocalTime.dateText(today)
        var costs: [EnergyCost] = []
        for source in sources {
            guard let site = try? SiteFolder(source.folder), let energies = try? EnergyReport.energies(site: site, query: query) else { continue }
            let insight = EnergyInsight(energies, query: query, options: .init(tariff: tariff))
            for location in insight.locations {
                guard let cost = location.cost else { continue }
                costs.append(EnergyCost(location: insight.locations.count == 1 ? source.location : location.name,
                                        currency: tariff.currency, tariff: tariff.name,
                                        today: insight.rowCost[label + "|" + location.name], month: cost.energy,
                                        demand: cost.demand.reduce(0) { $0 + $1.cost }))
            }
        }
        return costs
    }
}
