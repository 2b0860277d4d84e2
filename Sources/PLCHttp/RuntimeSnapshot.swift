public import PLCCore
public import PLCModbus

/// Everything the dashboard shows, copied out of the running program by the scan thread.
///
/// A plain value: the HTTP side formats and serves it without ever touching a live block.
public struct RuntimeSnapshot: Sendable {
    /// The program's name (`rx380_main`).
    public var program: String
    /// The `Site` tunable, or the host name when the program has none.
    public var site: String
    /// Wall-clock time of the snapshot, in seconds since 1970 (UTC).
    public var wallClock: Double
    /// Monotonic time of the snapshot, in ns.
    public var monotonic: Int64
    /// The live values, one entry per location (a Display-like block of the program).
    public var locations: [LocationReading]
    /// The scan task's cycle statistics.
    public var cycle: CycleFigures
    /// Traffic counters per bus and device.
    public var buses: [BusReading]
    /// The error log files the program writes (EventLog.sFile), for the Runtime page's last lines.
    public var logFiles: [String]
    /// Where each location's CSV rows go, for the Energy page.
    public var energySources: [EnergySource]
    /// Every program variable (instance `""`) and every block pin, by instance.
    public var instances: [InstanceReading]
    /// The forced variables and pins (online mode) with their forced values, sorted by path.
    public var forced: [(path: String, value: String)] = []
    /// With a `tasks:` list, each task's name and cycle statistics (`cycle` is the first task's).
    public var tasks: [(name: String, cycle: CycleFigures)] = []

    /// An empty snapshot of `program` (before the first scan published one).
    public init(program: String, site: String) {
        self.program = program
        self.site = site
        wallClock = 0
        monotonic = 0
        locations = []
        cycle = CycleFigures()
        buses = []
        logFiles = []
        energySources = []
        instances = []
    }
}

/// The state of a location's data source.
public enum DataState: String, Sendable, Codable {
    /// The last read succeeded and the data are fresh.
    case ok
    /// The last read succeeded, but too long ago.
    case stale
    /// The last read failed (the reading's `error` says why).
    case error
}

/// The quality of one value.
public enum Quality: String, Sendable, Codable {
    case ok
    /// The source failed since: the last good value is shown.
    case stale
    /// The column is marked not valid (or is not a number).
    case bad
    /// No good value was ever read.
    case none = "no data"
}

/// One location's current values, as its Display block shows them.
public struct LocationReading: Sendable {
    /// The location's name (the block's `sTitle`, else its instance name).
    public var name: String
    /// The instance the values come from.
    public var instance: String
    public var state: DataState
    /// Why the data are not good (the source's `sStatus`), empty when they are.
    public var error: String
    /// Age of the data in ms (the source's `tAge`).
    public var ageMs: Int64
    public var values: [QuantityReading]
}

/// One named value of a location with its unit and quality.
public struct QuantityReading: Sendable {
    /// The column name (`voltage_l1`).
    public var name: String
    public var unit: String
    /// The value rounded to its decimals; nil when there is none to show.
    public var value: Double?
    public var decimals: Int
    public var quality: Quality

    /// The value as text with its decimals (`229.7`), or `-`.
    public var text: String {
        guard let value else { return "-" }
        return formatFixed(value, decimals: decimals)
    }
}

/// The cycle statistics the pages and /metrics show, in ns unless named otherwise.
public struct CycleFigures: Sendable {
    public var cycles: UInt64 = 0
    public var intervalMs: Int64 = 0
    public var watchdogMs: Int64 = 0
    public var last: Int64 = 0
    public var min: Int64 = 0
    public var max: Int64 = 0
    public var average: Int64 = 0
    public var total: Int64 = 0
    public var lastJitter: Int64 = 0
    public var maxJitter: Int64 = 0
    /// Start-jitter percentiles: (fraction, ns).
    public var jitterPercentiles: [(fraction: Double, ns: Int64)] = []
    public var overruns: UInt64 = 0
    public var skipped: UInt64 = 0
    public var watchdogTrips: UInt64 = 0

    public init() {}
}

/// One bus and the counters of each device on it.
public struct BusReading: Sendable {
    public var name: String
    /// The bus settings in one line (`rtu /dev/ttyUSB0 19200 8E1`).
    public var summary: String
    public var devices: [(slave: Int, counters: DeviceCounters)]
}

/// Where a location's CSV rows are written: `<folder>/<prefix>_YYYY-MM-DD.csv`.
public struct EnergySource: Sendable, Equatable {
    public var location: String
    public var folder: String
    public var prefix: String
    /// The cumulative kWh column (`total_real_energy`).
    public var column: String

    public init(location: String, folder: String, prefix: String, column: String) {
        self.location = location
        self.folder = folder
        self.prefix = prefix
        self.column = column
    }
}

/// One block instance's pins (or the program's variables) with their values.
public struct InstanceReading: Sendable {
    /// The instance name; empty for the program's own variables.
    public var name: String
    /// The block type (`TON`), or `PROGRAM`.
    public var type: String
    public var pins: [PinReading]
}

/// One variable or pin: its declaration and current value.
public struct PinReading: Sendable {
    public var name: String
    public var scope: VarDecl.Scope
    public var type: IECType
    public var value: IECValue
    public var comment: String
    /// TRUE while the value is forced (online mode).
    public var forced = false
    /// TRUE when an operator may write it (`online: write`).
    public var writable = false
    /// RETAIN or PERSISTENT when the value survives a restart (the Online page marks it).
    public var retain: RetainClass?

    /// The value as an IEC literal, TIME as Codesys's online view shows it (`T#2s`, `229.7`, `'text'`).
    public var text: String { IECLiteral.readable(value, as: type) }
}
