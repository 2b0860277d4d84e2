import Foundation
import PLCCore
import PLCStorage
import Testing

/// Issue 26, "still open from the last round": the recovery line counts every failed poll of the
/// outage, the debounced ones before the latch raised it included.
@Suite("Recovery line")
struct RecoveryLineTests {
    @Test("FailuresToRaise 3: three debounced failed polls, two more in the outage: the clear line says 5 failed polls")
    func debouncedPollsCounted() throws {
        let dir = NSTemporaryDirectory() + "plc-recovery-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = StorageWriter()
        writer.start()
        let log = EventLog()
        log.attach(writer)
        log.sFile = dir + "/meter.log"
        log.sText = "Error reading registers 4000-4045 from slave 1: timeout"
        var time: Int64 = 1_772_323_200_000
        func scan(failed: Bool = false, done: Bool = false, raised: Bool = false, cleared: Bool = false) {
            (log.xPollFailed, log.xPollDone, log.xRaised, log.xCleared) = (failed, done, raised, cleared)
            log.execute(ScanContext(time: time, wallClock: time))
            log.writeOutputs()
            time += 100
            (log.xPollFailed, log.xPollDone, log.xRaised, log.xCleared) = (false, false, false, false)
            log.execute(ScanContext(time: time, wallClock: time))
            time += 100
        }
        // A failed poll then a good one before the latch raised: not part of any outage.
        scan(failed: true)
        scan(done: true)
        // Three failed polls in a row: the third raises the outage (the latch's debounce).
        scan(failed: true)
        scan(failed: true)
        scan(failed: true, raised: true)
        scan(failed: true)
        scan(failed: true)
        log.udiCount = 1
        log.tOutage = 4_000
        scan(done: true)
        scan(done: true, cleared: true)
        writer.stop()
        let lines = try String(contentsOfFile: dir + "/meter.log", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.last?.contains("Recovered after 4s (outage 1 since start, 5 failed polls): Error reading") == true, "\(lines)")
    }
}
