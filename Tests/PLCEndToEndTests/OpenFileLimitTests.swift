import Foundation
import Testing

/// Issue 26, defect 11: under a low open-files limit (`ulimit -n`), a model file that cannot be
/// opened is one clear line naming EMFILE and the limit, not "file error 256", and never a crash.
@Suite("open-files limit (ulimit -n)")
struct OpenFileLimitTests {
    @Test("ulimit -n 4...16: plc run site_main --simulate either runs or says the model (or program) hit EMFILE, with the limit")
    func modelUnderOpenFileLimit() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plc-nofile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let program = FileManager.default.currentDirectoryPath + "/programs/site_main"
        var modelLines: [String] = []
        var ran = 0
        for limit in 4...16 {
            // The limit's exact reach depends on what the process has open by then (the simulator's
            // socket, threads' pipes, libraries), so the test walks the limits instead of naming one.
            let command = "cd '\(folder)' && ulimit -n \(limit) && exec '\(PLCCommand.executable.path)' run '\(program)' --simulate --cycles 3"
            let result = try shell(["/bin/sh", "-c", command])
            let lines = result.output.split(separator: "\n").map(String.init)
            if result.status == 127 && result.output.contains("error while loading shared libraries") { continue }
            #expect(result.status == 0 || result.status == 2, "ulimit -n \(limit): status \(result.status): \(lines.suffix(4))")
            #expect(!result.output.contains("file error"), "ulimit -n \(limit): \(lines.suffix(4))")
            let refused = lines.filter { $0.contains("Too many open files") && $0.contains("cannot read") }
            for line in refused {
                #expect(line.contains("(EMFILE: this process has reached its limit of \(limit) open files, ulimit -n"), "\(line)")
            }
            modelLines += refused.filter { $0.contains("meters/rx380.yaml: cannot read meter model: ") }
            if result.status == 0 { ran += 1 }
        }
        #expect(!modelLines.isEmpty, "no limit from 4 to 16 stopped the model file")
        #expect(ran > 0, "no limit from 4 to 16 let site_main run")
    }
}
