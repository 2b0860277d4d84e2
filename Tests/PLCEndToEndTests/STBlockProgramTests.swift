import Foundation
import Testing

@Suite("A block written in ST, in an FBD program")
struct STBlockProgramTests {
    @Test("programs/st_average: MovingAverage.st averages the last 4 counts, scan by scan")
    func movingAverage() throws {
        let result = try PLCCommand.run(["run", "programs/st_average", "--cycles", "80",
                                         "--monitor", "Count,Average,mean.uiCount"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(rows.count == 80)
        // The expectation, computed here from the Count column alone: each new count is one sample;
        // the average is the mean of the last (up to) 4 samples.
        var samples: [Double] = []
        var lastCount = 0
        var checkedSamples = 0
        for row in rows {
            let count = Int(row[2].dropFirst(3), radix: 16)!
            if count != lastCount {
                samples.append(Double(count))
                lastCount = count
                checkedSamples += 1
            }
            let window = samples.suffix(4)
            let expected = window.isEmpty ? 0 : window.reduce(0, +) / Double(window.count)
            #expect(abs(Double(row[3])! - expected) < 1e-9, "row \(row): expected average \(expected)")
            #expect(Int(row[4]) == window.count, "row \(row): expected \(window.count) samples")
        }
        #expect(checkedSamples >= 10, "the counter should have counted at least 10 pulses in 80 scans")
    }

    @Test("plc check shows the ST block's variable table, and an ST error is file:line:col")
    func checkShowsTableAndErrors() throws {
        let check = try PLCCommand.run(["check", "programs/st_average"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("FUNCTION_BLOCK MovingAverage (Structured Text)"))
        #expect(check.stdout.contains("VAR_OUTPUT  lrAverage"))
        let folder = try PLCCommand.programFolder(
            try String(contentsOfFile: PLCCommand.root.appendingPathComponent("programs/st_average/program.yaml").path,
                       encoding: .utf8))
        let broken = try String(contentsOfFile: PLCCommand.root.appendingPathComponent(
            "programs/st_average/MovingAverage.st").path, encoding: .utf8)
            .replacingOccurrences(of: "uiCount := uiCount + 1;", with: "uiCount := xLast;")
        try broken.write(toFile: folder + "/MovingAverage.st", atomically: true, encoding: .utf8)
        let failed = try PLCCommand.run(["check", folder])
        #expect(failed.status == 2)
        #expect(failed.stderr.contains(folder + "/MovingAverage.st:28:20: cannot convert type 'BOOL' to type 'UINT'"),
                "\(failed.stderr)")
    }
}
