#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCApp
import PLCAuth
import PLCCore
import PLCGraph
import PLCHttp
import PLCModbus
import PLCReport

extension Run {
    /// Starts the web dashboard when the `HttpListen` setting is not empty; nil otherwise.
    /// `reload` loads the edited program folder as an online change (`POST /api/reload`).
    func startDashboard(_ program: CompiledProgram, file: ProgramFile, io: ModbusIO, settings runtime: RuntimeSettings,
                        reload: (@Sendable (String) -> (applied: Bool, message: String))? = nil) throws -> Dashboard? {
        try startDashboard([TaskPart(name: "", program: program, task: file.task, workers: Array(io.workers.values))],
                           file: file, settings: runtime, reload: reload)
    }

    /// `startDashboard` for a program with a `tasks:` list: one part per task (`Dashboard.init(listen:tasks:...)`).
    func startDashboard(_ tasks: [TaskPart], owners: [String: Int] = [:], file: ProgramFile, settings runtime: RuntimeSettings,
                        reload: (@Sendable (String) -> (applied: Bool, message: String))? = nil) throws -> Dashboard? {
        let program = tasks[0].program
        let settings = DashboardSettings(program: program, listen: runtime["HttpListen"], site: runtime["Site"])
        guard !settings.listen.isEmpty else { return nil }
        let insight = try insightHook()
        do {
            let listen = try ListenAddress(settings.listen)
            let users = try file.runtimeSetting("UsersFile").flatMap { $0.isEmpty ? nil : try UsersFile(path: $0) }
            let dashboard = try Dashboard(listen: listen, tasks: tasks, owners: owners, settings: settings, heatmap: Self.heatmap,
                                          users: users, insight: insight, reload: reload, sessionLimits: try Self.sessionLimits())
            let host = listen.isIPv6 ? "[\(listen.host)]" : listen.host
            let access = users.map { "write access for the \($0.users.count) users of \($0.path)" } ?? "read-only (no UsersFile)"
            note("\(file.name): dashboard on http://\(host):\(dashboard.port)/ (metrics on /metrics), \(access)")
            return dashboard
        } catch {
            throw fail("\(error)")
        }
    }

    /// The login limits: the defaults, or for tests a shorter idle time from the environment
    /// (`PLC_SESSION_IDLE=T#2s`, a hidden setting: a test of an expired session against the real server).
    static func sessionLimits() throws -> Sessions.Limits {
        var limits = Sessions.Limits()
        guard let text = ProcessInfo.processInfo.environment["PLC_SESSION_IDLE"] else { return limits }
        do {
            limits.idleMs = try IECLiteral.parseTime(text)
        } catch {
            throw fail("PLC_SESSION_IDLE=\(text): \(error.message)")
        }
        return limits
    }

    /// The Energy page's heatmap: kWh by location and hour of day over the last 30 days, drawn by
    /// `plc report`'s code from the same CSV files; nil when there are none yet.
    @Sendable static func heatmap(_ sources: [PLCHttp.EnergySource]) -> String? {
        var seconds = time(nil)
        var local = tm()
        localtime_r(&seconds, &local)
        let now = Double(seconds) + Double(local.tm_gmtoff)
        let today = Int((now / 86_400).rounded(.down))
        let query = ReportQuery(by: .hour, from: today - 29, to: today)
        var combined: EnergyReport?
        for source in sources {
            guard let site = try? SiteFolder(source.folder), var report = try? EnergyReport(site: site, query: query)
            else { continue }
            if report.locations.count == 1 { report.locations[0].name = source.location }
            if combined == nil { combined = report } else { combined?.locations += report.locations }
        }
        guard let report = combined, !report.locations.isEmpty else { return nil }
        return Heatmap.svg(report)
    }
}
