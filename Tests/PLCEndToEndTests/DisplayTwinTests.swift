import Foundation
import PLCCore
@testable import PLCStorage
import PLCStructuredText
import Testing

/// Display.st renders, in `asTable`, the table the Swift Display prints: the same heading, values,
/// units and qualities, scan by scan, for good data, a bad column, a failed source (stale values)
/// and a source that never answered.
@Suite("Display's twin renders the Swift Display's table")
struct DisplayTwinTests {
    /// One scan's inputs: valid source, per-column validity, values, status, age.
    struct Scan {
        var valid = true
        var columnValid = [true, true, true]
        var values = [230.45, 5.5, 15345.001]
        var status = ""
        var age: Int64 = 1500
    }

    static let scans: [(name: String, scans: [Scan])] = [
        ("good data", [Scan()]),
        ("a bad column", [Scan(columnValid: [true, false, true])]),
        ("the source fails after good data: stale values", [Scan(), Scan(valid: false, values: [0, 0, 0], status: "Office: timeout", age: 65_000)]),
        ("the source never answered", [Scan(valid: false, status: "")]),
    ]

    @Test("the same table on both sides", arguments: 0..<scans.count)
    func sameTable(_ n: Int) throws {
        let swift = Display()
        let library = try STLibrary.load(folder: PLCCommand.root.appendingPathComponent("st-reference").path, root: "Display")
        let twin = try #require(library.functionBlock("Display")).instantiate()
        let interface = Display.interface
        func set(_ name: String, _ value: IECValue) {
            swift[pin: interface.index(of: name)!] = value
            twin[pin: twin.interface.index(of: name)!] = value
        }
        set("sTitle", .string("Office"))
        set("sColumns", .string("voltage_l1,current_l1,total_real_energy"))
        set("sUnits", .string("V,A,kWh"))
        set("auiDecimals", .array([.int(1), .int(3), .int(3)] + Array(repeating: .int(0), count: 13)))
        let noon: Int64 = 1_764_244_800_000
        for (i, scan) in Self.scans[n].scans.enumerated() {
            set("xValid", .bool(scan.valid))
            set("sStatus", .string(scan.status))
            set("tAge", .time(scan.age))
            set("alrValues", .array(scan.values.map { .real($0) } + Array(repeating: .real(0), count: 13)))
            set("axValid", .array(scan.columnValid.map { .bool($0) } + Array(repeating: .bool(true), count: 13)))
            for execute in [false, true] {
                set("xExecute", .bool(execute))
                let context = ScanContext(time: Int64(i) * 1000, wallClock: noon + Int64(i) * 1000, utcOffset: 3600)
                swift.execute(context)
                twin.execute(context)
            }
            let expected = swift.table(at: ScanContext(wallClock: noon + Int64(i) * 1000, utcOffset: 3600).localTime)
            var lines: [String] = []
            for k in 0..<17 {
                guard case .string(let line)? = twin.value(at: "asTable", element: k), !line.isEmpty else { break }
                lines.append(line)
            }
            #expect(lines.joined(separator: "\n") + "\n" == expected, "\(Self.scans[n].name), scan \(i)")
            #expect(twin.value(of: "udiShown") == .int(Int64(i + 1)))
        }
    }
}
