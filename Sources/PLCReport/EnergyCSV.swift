#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore

/// Reads one day file of a location (`energy_YYYY-MM-DD.csv` or `rx380_data_YYYY-MM-DD.csv`)
/// without building a string per cell: the timestamp, `total_real_energy` (kWh) and
/// `total_real_power` (W) of each row, an empty cell being no reading.
public enum EnergyCSV {
    /// One row: local time in seconds (see `LocalTime`), the counter in kWh, the power in kW.
    public struct Row: Sendable, Equatable {
        public var time: Int64
        public var counter: Double?
        public var power: Double?
        /// Decimal places of the counter cell: its resolution is 10^-decimals kWh.
        public var counterDecimals = 0

        public init(time: Int64, counter: Double? = nil, power: Double? = nil, counterDecimals: Int = 0) {
            self.time = time
            self.counter = counter
            self.power = power
            self.counterDecimals = counterDecimals
        }
    }

    /// The date in a day file's name (`energy_2026-11-25.csv` -> its day number), or nil.
    public static func date(ofFileNamed name: String) -> Int? {
        for prefix in ["energy_", "rx380_data_"] where name.hasPrefix(prefix) && name.hasSuffix(".csv") {
            let middle = name.dropFirst(prefix.count).dropLast(4)
            return LocalTime.parseDate(String(middle))
        }
        return nil
    }

    /// Reads `path`, calling `body` for each data row in file order. A malformed line throws
    /// `file:line: problem`; an incomplete last line (no newline: a file being written) that does
    /// not parse is skipped. The file is streamed in chunks (`CSVLines`): memory stays flat in its size.
    public static func read(_ path: String, _ body: (Row) -> Void) throws(ReportError) {
        var parser = Parser(path: path)
        var failure: ReportError?
        do throws(CSVLines.Failure) {
            try CSVLines.read(path) { line in
                do throws(ReportError) {
                    try parser.line(line.bytes, complete: line.complete, body)
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
        } catch {
            throw ReportError("\(path): cannot read the file: \(error.reason)")
        }
        if let failure { throw failure }
    }

    /// The header's columns and the line count, line after line.
    struct Parser {
        let path: String
        var lineNumber = 0
        var columns = 0
        var timeColumn = -1, counterColumn = -1, powerColumn = -1
        var cells: [Range<Int>] = []

        init(path: String) { self.path = path }

        /// One line without its line break; `complete` is false for a last line without one.
        mutating func line(_ bytes: UnsafeBufferPointer<UInt8>, complete: Bool, _ body: (Row) -> Void) throws(ReportError) {
            lineNumber += 1
            if bytes.isEmpty { return }
            CSVLines.cells(of: bytes, into: &cells)
            if columns == 0 {
                let names = cells.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
                columns = names.count
                timeColumn = names.firstIndex(of: "timestamp") ?? -1
                counterColumn = names.firstIndex(of: "total_real_energy") ?? -1
                powerColumn = names.firstIndex(of: "total_real_power") ?? -1
                guard timeColumn >= 0 else {
                    throw ReportError(file: path, line: lineNumber, "no 'timestamp' column in the header")
                }
                guard counterColumn >= 0 || powerColumn >= 0 else {
                    throw ReportError(file: path, line: lineNumber, "no 'total_real_energy' or 'total_real_power' column in the header")
                }
                return
            }
            do throws(ReportError) {
                guard cells.count == columns else {
                    throw ReportError(file: path, line: lineNumber, "expected \(columns) columns, found \(cells.count)")
                }
                let (ts, te) = (cells[timeColumn].lowerBound, cells[timeColumn].upperBound)
                guard let time = LocalTime.parseTimestamp(bytes, ts, te) else {
                    throw ReportError(file: path, line: lineNumber,
                                      "'\(text(bytes, ts, te))' is not a timestamp YYYY-MM-DD HH:MM:SS")
                }
                var row = Row(time: time)
                if counterColumn >= 0 {
                    let cell = cells[counterColumn]
                    row.counter = try number(bytes, cell, "total_real_energy", path, lineNumber)
                    row.counterDecimals = decimals(bytes, cell.lowerBound, cell.upperBound)
                }
                if powerColumn >= 0 {
                    row.power = try number(bytes, cells[powerColumn], "total_real_power", path, lineNumber).map { $0 / 1000 }
                }
                body(row)
            } catch {
                if complete { throw error }
            }
        }
    }

    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ cell: Range<Int>, _ column: String,
                               _ path: String, _ line: Int) throws(ReportError) -> Double? {
        if cell.isEmpty { return nil }
        guard let value = parseNumber(bytes, cell.lowerBound, cell.upperBound) else {
            throw ReportError(file: path, line: line, "column \(column): '\(text(bytes, cell.lowerBound, cell.upperBound))' is not a number")
        }
        return value
    }

    /// Digits after the decimal point of a cell.
    private static func decimals(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var i = end
        while i > start {
            i -= 1
            if bytes[i] == UInt8(ascii: ".") { return end - i - 1 }
        }
        return 0
    }

    private static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// A plain decimal (`-12.345`): the mantissa is an exact integer and the power of ten is exact,
    /// so one division gives the correctly rounded value. Longer numbers go through `strtod`'s twin.
    static func parseNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        var negative = false
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: Int64 = 0
        var digitCount = 0, fraction = 0, seenPoint = false
        while i < end {
            let c = bytes[i]
            if c == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else if c &- UInt8(ascii: "0") < 10 {
                guard digitCount < 15 else { return Double(text(bytes, start, end)) }
                mantissa = mantissa * 10 + Int64(c &- UInt8(ascii: "0"))
                digitCount += 1
                if seenPoint { fraction += 1 }
            } else {
                return nil
            }
            i += 1
        }
        guard digitCount > 0 else { return nil }
        let value = Double(mantissa) / powersOfTen[fraction]
        return negative ? -value : value
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
