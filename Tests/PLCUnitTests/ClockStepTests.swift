import Foundation
import PLCApp
import PLCBlocks
import PLCCore
import PLCGraph
import PLCRuntime
import PLCStorage
import Testing

/// Wall-clock steps (NTP, an operator, the end of daylight saving time) seen by the blocks and the task (defect 5).
@Suite("Clock steps")
struct ClockStepTests {
    /// The local times (ms) at which a 5-minute WallClockPulse pulses, scanning every second from
    /// `start` for `seconds` scans, with `step(scan)` ms added to the wall clock from that scan on.
    static func pulses(start: Int64, seconds: Int, step: (Int) -> Int64) -> [Int64] {
        let pulse = WallClockPulse()
        pulse.tInterval = 300_000
        var out: [Int64] = []
        for s in 0..<seconds {
            let local = start + Int64(s) * 1000 + step(s)
            pulse.execute(ScanContext(time: Int64(s) * 1000, wallClock: local, cycle: UInt64(s)))
            if pulse.Q { out.append(local) }
        }
        return out
    }

    @Test("a clock set back 450 s keeps the 5-minute cadence: the next multiple crossed pulses again")
    func backwardStep() {
        let tenOClock: Int64 = 36_000_000
        // Scans from 09:58; at 10:02 the clock goes back to 09:54:30.
        let times = Self.pulses(start: tenOClock - 120_000, seconds: 900) { $0 >= 240 ? -450_000 : 0 }
        let minutes = times.map { ($0 % 3_600_000) / 60_000 }
        // 10:00, then 09:55 and 10:00 again (the repeated span), then 10:05: no silent gap.
        #expect(minutes == [0, 55, 0, 5], "\(minutes)")
    }

    @Test("the repeated hour at the end of daylight saving time gets its rows")
    func fallBack() {
        let oneOClock: Int64 = 3_600_000
        // From 01:50 local for 40 minutes; at 02:00 the UTC offset drops by an hour (local 01:00 again).
        let times = Self.pulses(start: oneOClock + 50 * 60_000, seconds: 2400) { $0 >= 600 ? -3_600_000 : 0 }
        // 01:55, then the repeated hour from 01:05 on; only the slot at the step itself (02:00 = 01:00) has no row.
        let minutes = times.map { $0 / 60_000 - 60 }
        #expect(minutes == [55, 5, 10, 15, 20, 25], "\(minutes)")
    }

    @Test("the task reports each wall-clock step of more than a second once, with its size")
    func stepReported() throws {
        let file = try ProgramLoader.parse("""
            program: idle
            task: {interval: T#100ms}
            blocks:
              - name: t
                type: TON
                inputs: {IN: TRUE, PT: T#1s}
            """, path: "idle.yaml", enums: [:])
        let program = try ProgramCompiler.compile(file, library: Fixtures.library)
        let clock = ManualClock()
        let task = CyclicTask(program: program, settings: file.task, clock: clock)
        var steps: [Int64] = []
        task.onClockStep = { step, _ in steps.append(step) }
        for scan in 0..<50 {
            if scan == 10 { clock.stepWall(ms: -450_000) }
            if scan == 20 { clock.stepWall(ms: 800) }            // under a second: NTP slews, not a step
            if scan == 30 { clock.stepWall(ms: 3_600_000) }
            task.step()
        }
        #expect(steps == [-450_000, 3_600_000])
    }

    @Test("a wall-clock step is logged once in the error log, stamped with the new time (defect 5)")
    func stepLogged() throws {
        let dir = NSTemporaryDirectory() + "plc-step-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Two EventLog blocks on one file and one on another: each file gets the line once.
        let file = try ProgramLoader.parse("""
            program: stepper
            task: {interval: T#100ms}
            blocks:
              - {name: a, type: EventLog, inputs: {sFile: '\(dir)/one.log', xRaised: FALSE}}
              - {name: b, type: EventLog, inputs: {sFile: '\(dir)/one.log', xRaised: FALSE}}
              - {name: c, type: EventLog, inputs: {sFile: '\(dir)/two.log', xRaised: FALSE}}
            """, path: "stepper.yaml", enums: [:])
        let runtime = try RuntimeAssembly(file: file, library: Fixtures.library)
        // 2026-03-01 00:00 UTC, one hour east of UTC.
        let clock = ManualClock(wallOrigin: 1_772_323_200_000, utcOffset: 3600)
        clock.recordsSleeps = false
        let task = CyclicTask(program: runtime.program, settings: file.task, clock: clock)
        task.onClockStep = { runtime.clockStepped(by: $0, localTime: $1) }
        for scan in 0..<30 {
            if scan == 10 { clock.stepWall(ms: -450_000) }
            if scan == 20 { clock.offset = 0 }               // a DST change is not a step
            task.step()
        }
        runtime.stop()
        for name in ["one.log", "two.log"] {
            let lines = try String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8).split(separator: "\n")
            // Scan 10 runs at 01:00:01 local, less 7m 30s.
            #expect(lines == ["2026-03-01 00:52:31,000 - WARNING - The wall clock stepped back by 7m 30s; rows keep their wall-clock multiples"],
                    "\(name): \(lines)")
        }
    }

    @Test("the plausible-time floor is the day before the build's commit, never before 2025")
    func buildDateFloor() {
        #expect(ClockFloor.earliest(buildEpoch: 0) == ClockFloor.projectStart)
        // A commit of 2026-11-27 12:00 UTC: rows before 2026-11-26 12:00 local are a wrong clock.
        #expect(ClockFloor.earliest(buildEpoch: 1_795_780_800) == 1_795_694_400_000)
    }

    @Test("a build without a stamped commit date takes its floor from its compile date, not 2025-01-01")
    func compileDateFloor() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let nowMs = Int64(now.tv_sec) * 1000
        // This test binary was built moments ago: its floor is the day before that, never 2025-01-01
        // (a plain `swift build` used to fall back to it, letting a 2025 clock's rows through).
        #expect(ClockFloor.earliest > ClockFloor.projectStart)
        #expect(ClockFloor.earliest <= nowMs, "the floor is in the future")
        #expect(nowMs - ClockFloor.earliest < 400 * 86_400_000, "the floor is more than 400 days old")
    }
}
