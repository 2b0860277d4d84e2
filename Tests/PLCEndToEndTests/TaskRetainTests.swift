import Foundation
import Testing
import PLCRuntime

/// RETAIN values in a program with a `tasks:` list: every task's retained values go into one image,
/// each as of its own task's last completed scan, and come back after a clean stop and a SIGKILL.
@Suite struct TaskRetainTests {
    /// fast (5 ms) blinks and counts its pulses in a retained CTU; slow (20 ms) does the same with its
    /// own blinker and copies its count into a RETAIN variable.
    static let program = """
        program: taskkeeper
        tasks:
          - {name: fast, interval: T#5ms, priority: 1, blocks: [pulse, blinks]}
          - {name: slow, interval: T#20ms, priority: 20, blocks: [tick, count]}
        variables:
          - {name: Total, type: WORD, retain: true}
        blocks:
          - name: pulse
            type: TON
            inputs:
              IN: {from: NOT pulse.Q, feedback: true}
              PT: T#10ms
          - name: blinks
            type: CTU
            retain: true
            inputs:
              CU: pulse.Q
              PV: 60000
          - name: tick
            type: TON
            inputs:
              IN: {from: NOT tick.Q, feedback: true}
              PT: T#20ms
          - name: count
            type: CTU
            retain: true
            inputs:
              CU: tick.Q
              PV: 60000
            outputs:
              CV: Total
        """

    let folder: String
    let state: String

    init() throws {
        folder = try PLCCommand.programFolder(Self.program)
        state = folder + "/state"
    }

    /// `cycle,t_ms,16#000A,16#0003,16#0003` -> [10, 3, 3].
    static func values(_ line: some StringProtocol) -> [Int64] {
        line.split(separator: ",").dropFirst(2).map { Int64($0.dropFirst(3), radix: 16) ?? -1 }
    }

    func run(_ cycles: Int) throws -> (first: [Int64], last: [Int64], stderr: String) {
        let result = try PLCCommand.run(["run", folder, "--cycles", String(cycles), "--set", "StateFolder=\(state)",
                                         "--set", "RetainInterval=T#10s", "--monitor", "blinks.CV,count.CV,Total"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").dropFirst().map(Self.values)
        return (rows.first ?? [], rows.last ?? [], result.stderr)
    }

    /// A clean stop saves both tasks' values in one image; the next start restores them, and a cold
    /// reset starts them from zero.
    @Test func bothTasksRetainOverARestart() throws {
        let one = try run(60)
        #expect(one.first.count == 3 && one.last.count == 3, "\(one.stderr)")
        #expect(one.last[0] > 0 && one.last[1] > 0, "both tasks counted: \(one.last) \(one.stderr)")
        let entries = try RetainTests.newestEntries(state, "taskkeeper")
        // One image with the retained values of both tasks, and no exchange variable.
        #expect(entries["blinks.CV"] != nil && entries["count.CV"] != nil && entries["Total"] != nil, "\(entries.keys.sorted())")
        #expect(!entries.keys.contains { $0.hasPrefix("_x_") }, "\(entries.keys.sorted())")
        let saved = entries["count.CV"]?.words.first ?? -1
        #expect(saved >= one.last[1], "the image holds the slow task's last count: \(saved) vs \(one.last)")
        let two = try run(20)
        #expect(two.first.count == 3, "\(two.stderr)")
        #expect(two.first[0] >= one.last[0] && two.first[1] >= saved && two.first[2] >= saved,
                "restored \(two.first), saved \(one.last) / \(saved): \(two.stderr)")
        let cold = try PLCCommand.run(["run", folder, "--cycles", "1", "--set", "StateFolder=\(state)", "--reset", "cold",
                                       "--monitor", "blinks.CV,count.CV,Total"])
        let row = cold.stdout.split(separator: "\n").dropFirst().first.map(Self.values) ?? []
        #expect(row == [0, 0, 0], "cold reset: \(row) \(cold.stderr)")
    }

    /// SIGKILL while both tasks run: the next start restores at least what a monitor line showed more
    /// than RetainInterval (plus the storage thread's wake-up) before the kill, in both tasks.
    @Test func bothTasksSurviveSigkill() throws {
        var floor: [Int64] = [0, 0]
        for round in 0..<8 {
            let process = try BackgroundProcess(PLCCommand.executable.path, [
                "run", folder, "--set", "StateFolder=\(state)", "--set", "RetainInterval=T#50ms", "--monitor", "blinks.CV,count.CV",
            ])
            guard let first = process.waitForLine(timeout: 30, { $0.first?.isNumber == true }) else {
                Issue.record("round \(round): no monitor line: \(process.errorOutput.suffix(3))")
                _ = process.stop(signal: SIGKILL)
                return
            }
            let restored = Self.values(first)
            #expect(restored.count == 2 && restored[0] >= floor[0] && restored[1] >= floor[1],
                    "round \(round): restored \(restored), expected at least \(floor)")
            // Wait until both counters moved on, then let RetainInterval pass twice before the kill.
            let target = restored.map { $0 + 3 }
            let moved = process.waitForLine(from: 0, timeout: 30) { line in
                let v = Self.values(line)
                return v.count == 2 && v[0] >= target[0] && v[1] >= target[1]
            }
            #expect(moved != nil, "round \(round): the counters did not move: \(process.output.suffix(2))")
            let safe = moved.map(Self.values) ?? restored
            Thread.sleep(forTimeInterval: 0.2)
            _ = process.stop(signal: SIGKILL)
            floor = [max(floor[0], safe[0]), max(floor[1], safe[1])]
        }
        #expect(floor[1] > 10, "the slow task's counter went on across the kills: \(floor)")
    }
}
