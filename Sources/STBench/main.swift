// st-bench: ns per call of each ST twin in the engine against its Swift block, and heap allocations
// per steady-state call of the twin (counted with CAllocCounter as `plc bench` does).
// Build with -c release for meaningful figures: swift run -c release st-bench [st-reference]
import CAllocCounter
import Foundation
import PLCBlocks
import PLCCore
import PLCStructuredText

let folder = CommandLine.arguments.dropFirst().first ?? "st-reference"
let calls = 1_000_000
let only = CommandLine.arguments.dropFirst(2).first

/// Mean ns per call of `body` over `calls` calls with 10 ms of virtual time between them.
func nanosecondsPerCall(_ body: (ScanContext) -> Void) -> Double {
    var rounds: [Double] = []
    for _ in 0..<5 {
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<calls { body(ScanContext(time: Int64(i) * 10, wallClock: Int64(i) * 10, cycle: UInt64(i))) }
        rounds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls))
    }
    return rounds.sorted()[2]
}

/// The inputs of the last row of the block's first vector file (a realistic, non-trivial state).
func inputs(_ type: String, _ interface: VarTable) -> [(Int, IECValue)] {
    let dir = "blocks/\(type)/vectors"
    guard let name = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.sorted().first,
          let file = try? VectorFile.load("\(dir)/\(name)", for: interface) else { return [] }
    var values: [Int: IECValue] = [:]
    for row in file.rows {
        for (column, cell) in zip(file.columns, row.cells) where column.decl.scope == .input {
            if let cell { values[column.pin] = cell }
        }
    }
    return values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
}

print("st-bench: \(folder), \(calls) calls per round, median of 5 rounds")
print("block           ST ns/call  Swift ns/call  ratio  ST allocations/call")
for swiftType in BlockLibrary.standard.types.sorted(by: { $0.typeName < $1.typeName }) {
    let name = swiftType.typeName
    guard name != "AND", name != "OR", only == nil || only == name,
          let library = try? STLibrary.load(folder: folder, root: name),
          let stType = library.functionBlock(name) else { continue }
    let st = stType.instantiate()
    for (pin, value) in inputs(name, stType.interface) { st[pin: pin] = value }
    let block = swiftType.init()
    for (pin, value) in inputs(name, swiftType.interface) { block[pin: pin] = value }
    let stTime = nanosecondsPerCall { st.execute($0) }
    let swiftTime = nanosecondsPerCall { block.execute($0) }
    for i in 0..<1_000 { st.execute(ScanContext(time: Int64(i) * 10)) }
    alloc_counter_start()
    for i in 1_000..<101_000 { st.execute(ScanContext(time: Int64(i) * 10, wallClock: Int64(i) * 10)) }
    let allocations = alloc_counter_stop()
    print(name.padding(toLength: 14, withPad: " ", startingAt: 0)
          + String(format: "%11.1f  %13.1f  %5.2fx  %.3f", stTime, swiftTime, stTime / swiftTime,
                   Double(allocations) / 100_000))
}

// The whole program twin: rx380_main with no bus (every poll fails) and files in a scratch folder,
// the scan time and allocations per scan in a steady state between polls.
if only == nil || only == "rx380_main" {
    do {
        let library = try STLibrary.load(folder: folder, root: "rx380_main")
        let machine = library.makeMachine()
        let root = NSTemporaryDirectory() + "st-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: root + "/csv", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        machine.fileRoot = root
        let main = machine.instantiate("rx380_main")!
        var i: Int64 = 0
        func scan() {
            main.execute(ScanContext(time: i * 10, wallClock: 1_764_208_790_000 + i * 10, cycle: UInt64(i)))
            i += 1
        }
        for _ in 0..<1_000 { scan() }
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<100_000 { scan() }
        let ns = Double(DispatchTime.now().uptimeNanoseconds - start) / 100_000
        // 150 scans of 10 ms between two polls (PollInterval 2 s): no poll, no row, no log line.
        while (i * 10) % 2000 != 100 { scan() }
        alloc_counter_start()
        for _ in 0..<150 { scan() }
        let allocations = alloc_counter_stop()
        print(String(format: "rx380_main twin: %.1f ns/scan (26 block calls); %.3f allocations/scan between polls",
                     ns, Double(allocations) / 150))
    } catch {
        print("rx380_main twin: not loaded: \(error)")
    }
}
