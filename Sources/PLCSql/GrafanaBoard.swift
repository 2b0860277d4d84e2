#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Grafana dashboard of `plc report --sql ... --grafana FILE`: its panels' SQL is the report's
/// (`EnergySql.common`, the same counter rules and 30-minute pieces), limited to the dashboard's
/// time range with Grafana's `$__timeFilter(ts_utc)`, and a final SELECT per panel.
///
/// Times on the board are the readings' local times shown as UTC (set the dashboard's time zone to
/// UTC, as the file does). Panels use the counter (`ck`, the counter kWh per slot).
public enum GrafanaBoard {
    /// The data source's uid in `deploy/grafana/provisioning/datasources/energy.yaml`.
    public static func datasourceUID(_ dialect: SqlDialect) -> String {
        dialect == .tsql ? "plc-energy-mssql" : "plc-energy-postgres"
    }

    /// The data source's plugin type.
    public static func datasourceType(_ dialect: SqlDialect) -> String { dialect == .tsql ? "mssql" : "grafana-postgresql-datasource" }

    /// One panel: title, visualization, the query's format and its final SELECT over the common CTEs.
    struct PanelSpec {
        var title: String
        var type: String
        var format: String
        var select: String
        var timeFrom: String?
        var grid: (x: Int, y: Int, w: Int, h: Int)
    }

    static func specs(_ dialect: SqlDialect) -> [PanelSpec] {
        let name = "CONCAT(site, '/', location)"
        func time(_ unitSeconds: Int64, _ expression: String) -> String {
            switch dialect {
            case .tsql: unitSeconds == 3600 ? "DATEADD(HOUR, \(expression), '1970-01-01')" : "DATEADD(DAY, \(expression), '1970-01-01')"
            default: "to_timestamp((\(expression)) * \(unitSeconds)) AT TIME ZONE 'UTC'"
            }
        }
        return [
            PanelSpec(title: "kWh by location and hour", type: "heatmap", format: "time_series", select: """
                SELECT \(time(3600, "s / 2")) AS time, \(name) AS metric, SUM(ck) AS kwh
                FROM ss WHERE ck IS NOT NULL GROUP BY s / 2, site, location ORDER BY 1
                """, timeFrom: nil, grid: (0, 0, 24, 10)),
            PanelSpec(title: "Top locations this week (kWh)", type: "bargauge", format: "table", select: """
                SELECT \(name) AS location, SUM(ck) AS kwh
                FROM ss WHERE ck IS NOT NULL GROUP BY site, location ORDER BY 2 DESC
                """, timeFrom: "7d", grid: (0, 10, 12, 10)),
            PanelSpec(title: "Daily kWh per location", type: "barchart", format: "time_series", select: """
                SELECT \(time(86_400, "s / 48")) AS time, \(name) AS metric, SUM(ck) AS kwh
                FROM ss WHERE ck IS NOT NULL GROUP BY s / 48, site, location ORDER BY 1
                """, timeFrom: nil, grid: (12, 10, 12, 10)),
            PanelSpec(title: "Data quality per location", type: "table", format: "table", select: """
                SELECT \(name) AS location, COUNT(*) AS readings,
                       SUM(CASE WHEN ev = 2 THEN 1 ELSE 0 END) AS rejected, SUM(CASE WHEN ev = 3 THEN 1 ELSE 0 END) AS resets,
                       SUM(CASE WHEN ev = 9 THEN 1 ELSE 0 END) AS uncertain, MAX(t - t1) AS longest_gap_s
                FROM ce WHERE v IS NOT NULL GROUP BY site, location ORDER BY 1
                """, timeFrom: nil, grid: (0, 20, 24, 8)),
        ]
    }

    /// The panels' SQL for `table` in `dialect`, in panel order.
    public static func queries(_ dialect: SqlDialect, table: String) -> [String] {
        let sql = EnergySql(table: table, binSlots: 2, sourceSlots: 2)
        var filtered = sql
        filtered.rowFilter = "$__timeFilter(ts_utc)"
        return specs(dialect).map { filtered.common(dialect) + "\n" + $0.select }
    }

    struct Source: Encodable { var type: String; var uid: String }
    struct Grid: Encodable { var x, y, w, h: Int }
    struct Target: Encodable {
        var refId = "A"
        var datasource: Source
        var format: String
        var rawQuery = true
        var editorMode = "code"
        var rawSql: String
    }
    struct Options: Encodable { var calculate = false }
    struct Panel: Encodable {
        var id: Int
        var title: String
        var type: String
        var datasource: Source
        var gridPos: Grid
        var targets: [Target]
        var timeFrom: String?
        var options: Options?
    }
    struct Range: Encodable { var from = "now-30d", to = "now" }
    struct Board: Encodable {
        var uid: String
        var title = "Energy by location (plc)"
        var timezone = "utc"
        var schemaVersion = 39
        var version = 1
        var editable = true
        var time = Range()
        var tags = ["plc", "energy"]
        var panels: [Panel]
    }

    /// The dashboard JSON for `table` on the data source of `dialect`.
    public static func dashboard(_ dialect: SqlDialect, table: String) -> String {
        let source = Source(type: datasourceType(dialect), uid: datasourceUID(dialect))
        let queries = queries(dialect, table: table)
        let panels = specs(dialect).enumerated().map { index, spec in
            Panel(id: index + 1, title: spec.title, type: spec.type, datasource: source,
                  gridPos: Grid(x: spec.grid.x, y: spec.grid.y, w: spec.grid.w, h: spec.grid.h),
                  targets: [Target(datasource: source, format: spec.format, rawSql: queries[index])],
                  timeFrom: spec.timeFrom, options: spec.type == "heatmap" ? Options() : nil)
        }
        let board = Board(uid: "plc-energy-" + (dialect == .tsql ? "mssql" : "postgres"), panels: panels)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(board) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
