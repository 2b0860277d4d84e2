public import PLCCore
import Foundation

/// Prints the current values as a readable table on standard output, on each rising `xExecute`.
///
/// Each row shows a column's name, value with its decimals and unit, and its quality: `ok`,
/// `stale` (the source failed since; the last good value is shown), or `no data`. The heading
/// gives the time, the source's state (`sStatus`, e.g. ModbusRead.sError) and the data's age.
public final class Display: StorageBlock {
    public static let interface = VarTable("Display", summary: "Prints a table of values.", [
        .required("xExecute", .bool, "rising edge prints the table"),
        .input("sTitle", .string, nil, "heading"),
        .input("sColumns", .string, nil, "value names, comma-separated"),
        .input("sUnits", .string, nil, "units, comma-separated, in the order of sColumns"),
        .input("xValid", .bool, .bool(true), "the data source's last read succeeded"),
        .input("sStatus", .string, nil, "why the source is not valid, e.g. ModbusRead.sError"),
        .input("tAge", .time, nil, "age of the data, e.g. ModbusRead.tAge"),
    ] + ValueColumns.decls + [
        .output("udiShown", .udint, nil, "tables printed since start"),
    ])

    @exclusivity(unchecked) public var xExecute = false
    @exclusivity(unchecked) public var sTitle = ""
    @exclusivity(unchecked) public var sColumns = ""
    @exclusivity(unchecked) public var sUnits = ""
    @exclusivity(unchecked) public var xValid = true
    @exclusivity(unchecked) public var sStatus = ""
    @exclusivity(unchecked) public var tAge: Int64 = 0
    @exclusivity(unchecked) public var columns = ValueColumns()
    @exclusivity(unchecked) public var udiShown: UInt32 = 0

    @exclusivity(unchecked) private var previousExecute = false
    @exclusivity(unchecked) private var everValid = false
    @exclusivity(unchecked) private var lastGood = ValueColumns()
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
            lastGood = columns
        }
        if xExecute && !previousExecute {
            pending = table(at: context.localTime)
            udiShown &+= 1
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
            $0.trimmingCharacters(in: .whitespaces)
        }
        let age = CivilTime.duration(tAge)
        let state = xValid ? "data ok, \(age) old" : "DATA NOT VALID (\(sStatus.isEmpty ? "no reply yet" : sStatus)); last good \(age) ago"
        var out = "\(sTitle.isEmpty ? "values" : sTitle)  \(CivilTime.timestamp(localMs))  \(state)\n"
        let nameWidth = names.map(\.count).max() ?? 0
        let shown = xValid ? columns : lastGood
        for (i, name) in names.enumerated() {
            let value = (xValid || everValid) && shown.valid[i]
                ? ValueColumns.format(shown.values[i], decimals: Int(shown.decimals[i])) ?? "-" : "-"
            let unit = i < units.count ? units[i] : ""
            let quality = !xValid ? (everValid ? "stale" : "no data")
                : (columns.valid[i] && ValueColumns.format(columns.values[i], decimals: 0) != nil ? "ok" : "bad")
            out += "  " + name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + "  " + String(repeating: " ", count: max(0, 12 - value.count)) + value
                + " " + unit.padding(toLength: 4, withPad: " ", startingAt: 0) + "  " + quality + "\n"
        }
        return out
    }

    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .bool(xExecute)
            case 1: .string(sTitle)
            case 2: .string(sColumns)
            case 3: .string(sUnits)
            case 4: .bool(xValid)
            case 5: .string(sStatus)
            case 6: .time(tAge)
            case 7, 8, 9: columns.array(pin - 7)
            default: .int(Int64(udiShown))
            }
        }
        set {
            switch pin {
            case 0: xExecute = newValue.bool
            case 1: sTitle = newValue.string
            case 2: sColumns = newValue.string
            case 3: sUnits = newValue.string
            case 4: xValid = newValue.bool
            case 5: sStatus = newValue.string
            case 6: tAge = newValue.time
            case 7, 8, 9: columns.setArray(pin - 7, newValue)
            default: udiShown = UInt32(truncatingIfNeeded: newValue.int)
            }
        }
    }

    public func element(_ pin: Int, _ index: Int) -> IECValue {
        (7...9).contains(pin) ? columns.element(pin - 7, index) : self[pin: pin].element(index) ?? .int(0)
    }

    public func setElement(_ pin: Int, _ index: Int, _ value: IECValue) {
        if (7...9).contains(pin) { columns.setElement(pin - 7, index, value) }
    }
}
