import Foundation
import PLCCore
import PLCModbus
import PLCStructuredTextModbus
import Testing
@testable import PLCStructuredText

/// The whole rx380_main twin runs in the engine: ModbusFB on a bus worker against the RX380
/// simulator, CAA File in a scratch folder, SysTimeRtc from the scan's clock.
@Suite(.serialized) struct TwinProgramTests {
    /// st-reference with F_LocalTimeMs's SysTimeRtc calls as Codesys accepts them (issue 11, finding 1),
    /// when the committed file still has the pointer arguments.
    static func reference() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("st-twin-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let source = repositoryRoot + "/st-reference"
        for name in try FileManager.default.contentsOfDirectory(atPath: source) where name.hasSuffix(".st") {
            var text = try String(contentsOfFile: "\(source)/\(name)", encoding: .utf8)
            if name == "F_LocalTimeMs.st" && text.contains("ADR(ulUtcMs)") {
                text = """
                    FUNCTION F_LocalTimeMs : LINT
                    VAR ulUtcMs : ULINT; udiUtc : UDINT; dwLocal : DWORD; udiResult : UDINT; END_VAR
                    udiResult := SysTimeRtcHighResGet(pTimestamp := ulUtcMs);
                    udiUtc := ULINT_TO_UDINT(ulUtcMs / 1000);
                    udiResult := SysTimeRtcConvertUtcToLocal(udiUtc, dwLocal);
                    F_LocalTimeMs := ULINT_TO_LINT(ulUtcMs) + (DWORD_TO_LINT(dwLocal) - UDINT_TO_LINT(udiUtc)) * 1000;
                    END_FUNCTION
                    """
            }
            try text.write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test func rx380MainTwinPollsTheMeterAndLogs() throws {
        let folder = try Self.reference()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bus = try SimulatorBus(responseTimeout: 100)
        defer { withExtendedLifetime(bus) {} }
        let simulator = bus.simulator, worker = bus.worker
        // Connect the worker before the twin's first request (its reply timeout is ModbusFB's 50 ms).
        _ = bus.read(4000, 1)

        let library = try STLibrary.load(folder: folder, root: "rx380_main")
        let machine = library.makeMachine()
        machine.modbus = BusWorkerBus(worker: worker)
        machine.fileRoot = folder
        let main = try #require(machine.instantiate("rx380_main"))
        main[pin: try #require(main.interface.index(of: "PollInterval"))] = .time(200)
        // One failed poll starts the outage, one good poll ends it (the debounce's defaults need more
        // polls than this short run has).
        main[pin: try #require(main.interface.index(of: "FailuresToRaise"))] = .int(1)
        main[pin: try #require(main.interface.index(of: "GoodPollsToClear"))] = .int(1)
        // TIME() runs at real pace (the bus replies in real time); the wall clock runs 100 ms per scan,
        // from 2025-11-27 09:59:50 local (UTC+8), to cross the 10:00:00 grid of LogInterval.
        let start: Int64 = 1_764_208_790_000
        let began = Date()
        func scans(_ range: Range<Int>) {
            for i in range {
                let t = Int64(Date().timeIntervalSince(began) * 1000)
                main.execute(ScanContext(time: t, wallClock: start + Int64(i) * 100, cycle: UInt64(i), utcOffset: 28_800))
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
        scans(0..<300)
        simulator.fault = .silent          // an outage
        scans(300..<400)
        simulator.fault = .none
        scans(400..<600)
        #expect(machine.takeFault() == nil)

        let csv = try String(contentsOfFile: folder + "/csv/rx380_data_2025-11-27.csv", encoding: .utf8)
        let rows = csv.split(separator: "\n").map(String.init)
        #expect(rows.first == "timestamp,voltage_l12,voltage_l23,voltage_l31,voltage_l1,voltage_l2,voltage_l3,"
            + "current_l1,current_l2,current_l3,total_real_power,total_power_factor,frequency,total_real_energy")
        #expect(rows.count == 2)
        let cells = rows.last?.split(separator: ",", omittingEmptySubsequences: false) ?? []
        #expect(cells.first == "2025-11-27 10:00:00")
        #expect(cells.count == 14 && !cells.contains(""), "\(csv)")

        let log = try String(contentsOfFile: folder + "/rx380_logger.log", encoding: .utf8)
        let lines = log.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(log)")
        #expect(lines.first == "2025-11-27 09:59:50,000 - INFO - rx380_main started")
        #expect(lines.dropFirst().first?.hasSuffix(" - ERROR - Error reading registers 4000-4045 from slave 1: timeout") == true)
        // Swift's duration text (issue 11, finding 11), not TIME_TO_STRING's T#...
        #expect(lines.last?.contains(" - INFO - Recovered after ") == true && lines.last?.contains("T#") == false, "\(log)")
        // The failed polls of the outage are counted: at least the one that raised it.
        #expect(lines.last?.contains(Regex(#/\(outage 1 since start, [1-9][0-9]* failed polls?\): /#)) == true, "\(log)")
        #expect(lines.last?.hasSuffix("): Error reading registers 4000-4045 from slave 1: timeout") == true)
    }
}
