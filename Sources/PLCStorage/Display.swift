public import PLCCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// Prints the current values as a readable table on standard output, on each rising `xExecute`.
///
/// Each row shows a column's name, value with its decimals and unit, and its quality: `ok`,
/// `stale` (the source failed since; the last good value is shown), or `no data`. The heading
/// gives the time, the source's state (`sStatus`, e.g. ModbusRead.sError) and the data's age.
public final class Display: StorageBlock {
    public static let summary = "Prints a table of values."

    @Input("rising edge prints the table", required: true) public var xExecute = false
    @Input("heading") public var sTitle = ""
    @Input("value names, comma-separated") public var sColumns = ""
    @Input("units, comma-separated, in the order of sColumns") public var sUnits = ""
    @Input("the data source's last read succeeded") public var xValid = true
    @Input("why the source is not valid, e.g. ModbusRead.sError") public var sStatus = ""
    @Input(.time, "age of the data, e.g. ModbusRead.tAge") public var tAge: Int64 = 0
    @ArrayPin(.input, count: ValueColumns.capacity, "the values, one per column") public var alrValues: PinArray<Double>
    @ArrayPin(.input, .usint, count: ValueColumns.capacity, "digits after the point, per column (the register's resolution)")
    public var auiDecimals: PinArray<UInt8>
    @ArrayPin(.input, count: ValueColumns.capacity, "FALSE empties that column's cell", initial: true)
    public var axValid: PinArray<Bool>
    /// The three column arrays as one view.
    public var columns: ValueColumns { ValueColumns(values: alrValues, decimals: auiDecimals, valid: axValid) }
    @Output("tables printed since start") public var udiShown: UInt32 = 0

    @exclusivity(unchecked) private var previousExecute = false
    @exclusivity(unchecked) private var everValid = false
    @exclusivity(unchecked) private var lastGood = ColumnSnapshot()
    @exclusivity(unchecked) private var pending: String?
    private var writer: StorageWriter?

    public init() {}

    /// Connects the block to the storage writer (which owns standard output).
    public func attach(_ writer: StorageWriter) {
        self.writer = writer
    }

    public func execute(_ context: ScanContext) {
        if xValid {
            everValid = true
            lastGood.take(columns)
        }
        if xExecute && !previousExecute {
            pending = table(at: context.localTime)
            udiShown = udiShown &+ 1
        }
        previousExecute = xExecute
    }

    public func writeOutputs() {
        guard let text = pending else { return }
        pending = nil
        writer?.print(text)
    }

    /// The table text for local time `localMs`.
    func table(at localMs: Int64) -> String {
        let names = ValueColumns.names(sColumns)
        let units = sUnits.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingSpaces()
        }
        let age = CivilTime.duration(tAge)
        let state = xValid ? "data ok, \(age) old" : "DATA NOT VALID (\(sStatus.isEmpty ? "no reply yet" : sStatus)); last good \(age) ago"
        var out = "\(sTitle.isEmpty ? "values" : sTitle)  \(CivilTime.timestamp(localMs))  \(state)\n"
        let nameWidth = names.map(\.count).max() ?? 0
        let columns = columns
        for (i, name) in names.enumerated() {
            let value = (xValid ? columns.text(i, sourceValid: true) : everValid ? lastGood.text(i) : nil) ?? "-"
            let unit = i < units.count ? units[i] : ""
            let quality = !xValid ? (everValid ? "stale" : "no data") : (columns.isGood(i) ? "ok" : "bad")
            out += "  " + name.paddingSpaces(toLength: nameWidth)
                + "  " + String(repeating: " ", count: max(0, 12 - value.count)) + value
                + " " + unit.paddingSpaces(toLength: 4) + "  " + quality + "\n"
        }
        return out
    }
}

extension Display: LocationSource {
    public static var locationNamePin: String? { "sTitle" }
    public static var locationStatusPin: String { "sStatus" }
    public static var locationRank: LocationRank { .presentation }
}
