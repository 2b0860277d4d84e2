import PLCCore
public import PLCGraph

/// What the dashboard needs from a program's settings, read once, typed: where to listen, the
/// site's name (`SiteName`'s rule) and when good data are called stale.
public struct DashboardSettings: Sendable, Equatable {
    /// `HttpListen`: host:port; empty: the dashboard is off.
    public var listen: String
    /// The site's name, as SQL rows and MQTT topics carry it.
    public var site: String
    /// Age (ms) beyond which good data are called stale: three poll periods, at least 5 s.
    public var staleAfterMs: Int64

    public init(listen: String = "", site: String = "", pollIntervalMs: Int64? = nil) {
        self.listen = listen
        self.site = SiteName.resolve(site)
        staleAfterMs = Swift.max(3 * (pollIntervalMs ?? 10_000), 5_000)
    }

    /// The settings `program` declares as variables (`HttpListen`, `Site`, `PollInterval`), when it does.
    public init(program: CompiledProgram) {
        func text(_ name: String) -> String { program.type(of: name) == .string ? program.value(of: name)?.string ?? "" : "" }
        let poll = program.type(of: Setting.pollInterval) == .time ? program.value(of: Setting.pollInterval)?.time : nil
        self.init(listen: text(Setting.httpListen), site: text(Setting.site), pollIntervalMs: poll)
    }

    /// `listen` and `site` from the runtime settings; the stale age from the program's `PollInterval`.
    public init(program: CompiledProgram, listen: String, site: String) {
        self = DashboardSettings(program: program)
        self.listen = listen
        self.site = SiteName.resolve(site)
    }

    /// The names of the settings read here.
    public enum Setting {
        public static let httpListen = "HttpListen"
        public static let site = "Site"
        public static let pollInterval = "PollInterval"
    }
}
