import Foundation
import PLCCore
import PLCGraph
import PLCModbus
import PLCRuntime
import PLCStorage
import Testing

/// 30 simulated days of `programs/rx380_main` in virtual time: a manual clock, a simulated meter
/// with outages, exceptions and flapping, a CSV folder that disappears for hours, and wall-clock
/// steps (NTP back and forward, a DST fall-back). Every CSV row is accounted for, and the
/// process's memory and the soak's open files stay flat. Figures are printed (`soak: ...`).
@Suite("Soak")
struct SoakTests {
    /// What the simulated meter does now; the soak loop sets it, the meter reads it.
    final class Meter: @unchecked Sendable {
        enum Fault { case none, timeout, exception, flapping }
        private let lock = NSLock()
        private var _fault = Fault.none
        private var polls = 0
        var fault: Fault {
            get { lock.withLock { _fault } }
            set { lock.withLock { _fault = newValue } }
        }

        func answer(_ request: ModbusRequest) -> ModbusReply {
            let (fault, n) = lock.withLock { () -> (Fault, Int) in polls += 1; return (_fault, polls) }
            switch fault {
            case .timeout: return ModbusReply(registers: [], error: .timeout(), latency: 500_000_000)
            case .exception: return ModbusReply(registers: [], error: .exception(4), latency: 20_000_000)
            case .flapping where n % 2 == 0: return ModbusReply(registers: [], error: .timeout(), latency: 500_000_000)
            default:
                let words = (0..<request.count).map { UInt16(truncatingIfNeeded: (request.address + $0) * 7) }
                return ModbusReply(registers: words, error: nil, latency: 64_000_000)
            }
        }
    }

    static func residentKB() -> Int {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }

    /// Open descriptors of this process that point into `folder` (other tests run beside the soak).
    static func openFiles(under folder: String) -> Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) ?? "")
            .hasPrefix(folder) }.count
    }

    @Test("30 days of rx380_main with meter, disk and clock faults: every row accounted for, memory and files flat")
    func thirtyDays() throws {
        let started = Date()
        // On tmpfs where there is one: fdatasync there costs nothing, and the soak is about the logic.
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let dir = base + "/plc-soak-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = dir + "/csv", log = dir + "/rx380_logger.log"
        // A 5 s scan and a 10 s poll keep 30 days at about half a million scans; rows stay on their 5-minute grid.
        // From 2026-03-01 00:00 UTC, one hour east of UTC.
        let logger = try VirtualRX380(sets: ["PollInterval=T#10s", "LogInterval=T#5m", "DisplayInterval=T#10d",
                                             "CsvFolder=\(csv)", "ErrorLogFile=\(log)"],
                                      interval: 5_000, wallOrigin: 1_772_323_200_000, utcOffset: 3600)
        let (program, meter, storage, clock, task) = (logger.program, logger.meter, logger.storage, logger.clock, logger.task)

        let day: Int64 = 86_400_000
        let scansPerDay = Int(day / task.settings.interval)
        var pulses = 0, memory: [Int] = [], files: [Int] = []
        // The memory is the whole test process's, which the tests running beside the soak share. A
        // leak grows in every month; a neighbour's burst does not repeat: when the first 30 days grew
        // by 8 MB or more, 30 quiet days more must not.
        var days = 30, pulsesIn30 = 0
        var d = 0
        while d < days {
            defer { d += 1 }
            for s in 0..<scansPerDay {
                let ms = Int64(s) * task.settings.interval
                // The meter: a 2-hour silence on day 3, exceptions for an hour on day 5, flapping for 6 hours on day 8.
                switch (d, ms / 3_600_000) {
                case (3, 10...11): meter.fault = .timeout
                case (5, 14): meter.fault = .exception
                case (8, 6...11): meter.fault = .flapping
                default: meter.fault = .none
                }
                // The disk: the CSV folder is gone for 3 hours on day 12 (a USB stick pulled and put back).
                if d == 12 && ms == 9 * 3_600_000 { try FileManager.default.moveItem(atPath: csv, toPath: csv + ".away") }
                if d == 12 && ms == 12 * 3_600_000 { try FileManager.default.moveItem(atPath: csv + ".away", toPath: csv) }
                // The clock: NTP steps it back 450 s on day 10 and forward 1 h on day 20; DST ends on day 15.
                if s == 1000 && d == 10 { clock.stepWall(ms: -450_000) }
                if s == 1000 && d == 20 { clock.stepWall(ms: 3_600_000) }
                if s == 1000 && d == 15 { clock.offset = 0 }
                task.step()
                if case .bool(true)? = program.value(of: "logPulse.Q") {
                    pulses += 1
                    // Virtual minutes pass in microseconds: let the writer reach the disk as it would in 5 minutes.
                    storage.writer.settle()
                }
            }
            if d == 1 || d == 29 || d == 59 {
                memory.append(Self.residentKB())
                files.append(Self.openFiles(under: dir))
            }
            if d == 29 {
                pulsesIn30 = pulses
                if memory[1] - memory[0] >= 8_192 { days = 60 }
            }
        }
        logger.stop()

        // Every pulse became a row on disk: none lost, none queued, none written twice.
        let names = try FileManager.default.contentsOfDirectory(atPath: csv).sorted()
        var rows: [String] = []
        for name in names {
            let lines = try String(contentsOfFile: csv + "/" + name, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("timestamp,voltage_l12") == true, "\(name)")
            rows += lines.dropFirst()
        }
        let written = program.value(of: "csvLog.udiRowsWritten").map { IECLiteral.format($0, as: .udint) } ?? ""
        let lost = program.value(of: "csvLog.udiRowsLost").map { IECLiteral.format($0, as: .udint) } ?? ""
        #expect(rows.count == pulses, "pulses \(pulses), rows on disk \(rows.count)")
        #expect(lost == "0")
        // 30 days of 5-minute rows, give or take what the clock steps added or took away.
        #expect(abs(pulsesIn30 - 30 * 288) <= 20, "\(pulsesIn30) rows")
        let logLines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(logLines.first?.hasSuffix("INFO - rx380_main started") == true)
        #expect(logLines.last?.hasSuffix("INFO - rx380_main stopped") == true, "\(logLines.suffix(2))")
        #expect(logLines.contains { $0.contains("ERROR - Cannot write \(csv)") })
        // Debounced (defect 11): 6 hours of every other poll failing log nothing; each real outage
        // (2 h silence, 1 h of exceptions, 3 h without the folder) one line when it starts and one when it ends.
        let meterErrors = logLines.filter { $0.contains("ERROR - Error reading") }
        #expect(meterErrors.count == 2, "\(meterErrors)")
        #expect(logLines.count <= 10, "\(logLines.count) log lines")
        // A leak of even 20 bytes a scan (10 MB a month) shows in both months.
        let growth = memory.count == 2 ? memory[1] - memory[0] : memory[2] - memory[1]
        #expect(growth < 8_192, "resident memory (kB) on days 1, 29 and 59 when measured: \(memory)")
        #expect(Set(files).count == 1, "open files under the soak folder: \(files)")
        let seconds = Date().timeIntervalSince(started)
        print("soak: \(days) days, \(task.statistics.cycles) scans, \(pulses) rows (\(written) written, \(lost) lost), "
              + "\(logLines.count) log lines, RSS \(memory.map(String.init).joined(separator: " -> ")) kB, files \(files), "
              + "\(String(format: "%.1f", seconds)) s")
    }
}
