/// The roles a block type can play beside executing: declared by the type, in its own file, so
/// the dashboard, the sinks, the exporters and the checks find blocks by what they do, never by
/// their type name or pin names.

/// A block whose pins give one location's values: what the dashboard's Live page, `/metrics`
/// and the MQTT state show.
///
/// The values are on the pins `sColumns` (names), `sUnits`, `alrValues`, `xValid`, `tAge`, and,
/// where the type has them, `auiDecimals` and `axValid` (per value).
public protocol LocationSource: FunctionBlock {
    /// The input naming the location (`sTitle`, `sLocation`); nil: the instance name is the location.
    static var locationNamePin: String? { get }
    /// The pin saying in words why the values are not good (`sStatus`, `sError`).
    static var locationStatusPin: String { get }
    /// How a program presents the location: a presenting block (Display) hides the raw readers.
    static var locationRank: LocationRank { get }
}

/// Which location sources a program's dashboard shows.
public enum LocationRank: Int, Sendable, Comparable {
    /// A block that says what a program shows (Display): when a program has any, only these count.
    case presentation
    /// A block that reads a device (MeterRead): a location when no block presents one.
    case reader

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Where an energy row source's rows land: `<folder>/<prefix>_YYYY-MM-DD.csv` with `columns`.
public struct RowFiles: Sendable, Equatable {
    public var folder: String
    public var prefix: String
    public var columns: [String]

    public init(folder: String, prefix: String, columns: [String]) {
        self.folder = folder
        self.prefix = prefix
        self.columns = columns
    }

    /// The first column whose name says energy (a cumulative kWh counter), if any.
    public var energyColumn: String? {
        columns.first { $0.lowercased().contains("energy") }
    }

    /// The location's name where a program has several row sources, each in its own folder
    /// (`<CsvFolder>/<Location>`, as `plc report` reads them): the folder's last component; nil
    /// when the folder is empty. One rule for the dashboard, SQL and the report.
    public var folderLocation: String? {
        folder.split(separator: "/").last.map(String.init)
    }
}

/// A block that writes a location's rows to CSV files: the files the Energy page, `plc report`
/// and the SQL forwarder read.
public protocol EnergyRowSource: FunctionBlock {
    /// The files this instance writes now (its pins' current values).
    var rowFiles: RowFiles { get }
    /// Rows written since start: a sink reading the files sends when it rises.
    var rowsWritten: UInt32 { get }
}

/// A block that writes an event log file the dashboard can show.
public protocol EventLogSource: FunctionBlock {
    /// The log file this instance writes now; empty: none.
    var logFile: String { get }
}

/// A block that brings services of its own (a sink's worker), created before the first scan and
/// stopped after the last, in the runtime's one service group.
public protocol ServiceOwner: IOBlock {
    /// The services this instance needs, given its pins' initial values (`--set` applied); empty:
    /// the block is off. Called once, before the first scan.
    func makeServices() throws(IECError) -> [any RuntimeService]
}

/// A block that talks over a program bus: in Codesys it takes the bus's client as a VAR_IN_OUT.
public protocol BusClientBlock: FunctionBlock {
    /// The VAR_IN_OUT that receives the bus's client in Structured Text.
    static var stBusParameter: String { get }
    /// ST-only inputs that carry a setting the Swift runtime takes from the program file's bus.
    static var stBusInputs: Set<String> { get }
    /// TRUE when the exports pass the bus's slave, function and response timeout to the twin's
    /// inputs left unwired (the Swift block takes them from the program file's bus).
    static var stTakesBusSettings: Bool { get }
}

extension BusClientBlock {
    public static var stBusParameter: String { "rClient" }
    public static var stBusInputs: Set<String> { [] }
    public static var stTakesBusSettings: Bool { false }
}

/// A block whose Codesys implementation reads the controller's clock itself (the Standard
/// library's timers), so a generated ST test replays its vectors in real time.
public protocol CodesysClockBlock: FunctionBlock {}

/// A block that checks its own inputs when they are constants (a literal or a program variable's
/// initial value), before the program runs: a setting that would make it silently do nothing.
public protocol ConstantInputChecks: FunctionBlock {
    /// The problem with `value` on input `pin`, as the rest of a sentence starting with the value
    /// ("is T#0ms; it must be more than T#0s ..."); nil when it is fine.
    static func problem(pin: String, constant value: IECValue) -> String?
}
