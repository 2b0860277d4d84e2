public import PLCAuth
public import PLCCore
public import PLCGraph
public import PLCModbus
public import PLCRuntime

/// The read-only web dashboard of a running program: a small HTTP server on its own threads, fed by
/// snapshots the scan thread publishes between scans.
public final class Dashboard {
    /// Where the server listens.
    public let address: ListenAddress
    /// The box between the scan and the server.
    public let box: SnapshotBox
    private let server: HTTPServer
    /// Each location's power over the last hour and 24 hours, for the Live page.
    public let trend: TrendRecorder
    /// One part per task (one with the one-task form), each published from its own task's thread.
    private let parts: TaskSnapshots

    /// Starts serving `program` on `listen` and returns once the socket listens; a bind failure
    /// (address in use, no such address) is a one-line error naming `HttpListen`.
    /// `settings` default to the ones the program declares (`DashboardSettings(program:)`).
    /// `heatmap` draws the Energy page's heatmap from the locations' CSV sources (PLCReport's hook).
    /// `users` turns write access on (logins against the users file); without it the dashboard is read-only.
    public convenience init(listen: ListenAddress, program: CompiledProgram, task: ProgramFile.Task, workers: [BusWorker],
                box: SnapshotBox = SnapshotBox(), settings: DashboardSettings? = nil,
                heatmap: (@Sendable ([EnergySource]) -> String?)? = nil, users: UsersFile? = nil,
                insight: (@Sendable ([EnergySource]) -> EnergyInsightView)? = nil,
                reload: (@Sendable (_ by: String) -> (applied: Bool, message: String))? = nil,
                sessionLimits: Sessions.Limits = Sessions.Limits()) throws(SourceError) {
        try self.init(listen: listen, tasks: [TaskPart(name: "", program: program, task: task, workers: workers)], box: box,
                      settings: settings, heatmap: heatmap, users: users, insight: insight, reload: reload,
                      sessionLimits: sessionLimits)
    }

    /// A dashboard of a program with a `tasks:` list: one part per task, in task order. Each task
    /// publishes its part after its own scan (`afterScan(task:_:)`); a snapshot shows every value as
    /// of its own task's last completed scan, each program variable from the task that assigns it
    /// (`owners`), and `/metrics` gives each task's statistics. Online writes go to the first task.
    /// `sessionLimits`: how long a login lasts and how failed logins are limited. `reload` loads the
    /// edited program as an online change (`POST /api/reload`, engineers only), answering whether it
    /// was applied and the summary line or the refusal.
    public init(listen: ListenAddress, tasks: [TaskPart], owners: [String: Int] = [:], box: SnapshotBox = SnapshotBox(),
                settings: DashboardSettings? = nil, heatmap: (@Sendable ([EnergySource]) -> String?)? = nil,
                users: UsersFile? = nil, insight: (@Sendable ([EnergySource]) -> EnergyInsightView)? = nil,
                reload: (@Sendable (_ by: String) -> (applied: Bool, message: String))? = nil,
                sessionLimits: Sessions.Limits = Sessions.Limits()) throws(SourceError) {
        address = listen
        self.box = box
        parts = TaskSnapshots(tasks, owners: owners, settings: settings)
        trend = parts.trend
        let program = tasks[0].program
        let online = OnlineAPI(catalog: program.onlineCatalog, sessions: users.map { Sessions(users: $0, limits: sessionLimits) },
                               now: { MonotonicTime.nanoseconds() / 1_000_000 }, reload: reload)
        let handler = DashboardHandler(box: box, online: online, energy: EnergyReader(), heatmap: heatmap, trend: trend,
                                       insight: insight)
        do throws(HTTPServer.Failure) {
            server = try HTTPServer(host: listen.host, port: listen.port) { handler.handleRequest($0) }
        } catch {
            switch error {
            case .address: throw SourceError(file: "HttpListen \(listen)", line: nil, "not an address this machine can listen on")
            case .system(let why): throw SourceError(file: "HttpListen \(listen)", line: nil, "cannot listen: \(why)")
            }
        }
    }

    /// The port the server listens on (the real one when `HttpListen` asked for port 0).
    public var port: Int { server.port }

    /// Scan thread, after a scan: publishes a snapshot when a client is watching and the last one is
    /// old enough. `statistics` is only read then.
    public func afterScan(_ statistics: @autoclosure () -> CycleStatistics) {
        afterScan(task: 0, statistics())
    }

    /// Task `task`'s thread, after its scan: as `afterScan(_:)`, for that task's part.
    public func afterScan(task: Int, _ statistics: @autoclosure () -> CycleStatistics) {
        parts.sample(task)
        let now = MonotonicTime.nanoseconds()
        guard parts.count == 1 ? box.wantsSnapshot(now: now) : parts.wants(task, box: box, now: now) else { return }
        box.publish(parts.publish(task, statistics(), now: now))
    }

    /// Stops the server: closes the listening socket; requests being answered finish by themselves.
    public func stop() {
        server.stop()
    }
}
