import CAllocCounter
import Glibc
import PLCCore
import PLCGraph
import PLCRuntime

extension Bench {
    /// For a program with RETAIN or PERSISTENT values: scan time with the end-of-scan copy, allocations
    /// per scan with the copy and hand-over, and the cost of writing one image (encode, write, fdatasync).
    func benchRetain(_ loading: ProgramLoading, _ file: ProgramFile) throws {
        let program = try loading.setup(file).program
        let set = RetainSet(program)
        guard !set.isEmpty else { return }
        var template = Array("/tmp/plc-bench-retain-XXXXXX".utf8CString)
        guard let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }) else {
            throw fail("plc bench: cannot create a temporary state folder")
        }
        defer {
            for suffix in ["a", "b"] { unlink(folder + "/\(file.name).retain-\(suffix)") }
            rmdir(folder)
        }
        let store = RetainStore(set: set, folder: folder, program: file.name, interval: 0, note: { _ in })
        let rounds = max(scans / 20, 1_000)
        var plain: [Double] = [], retained: [Double] = []
        for _ in 0..<3 {
            plain.append(Self.nanosecondsPerScan(rounds) { program.scan($0) })
            retained.append(Self.nanosecondsPerScan(rounds) { program.scan($0); store.afterScan(now: $0.time) })
        }
        let words = set.current.wordCount
        emit("retain        \(set.items.count) retained values (\(words) words): scan \(Self.format(Self.best(plain))) ns, "
             + "scan + end-of-scan copy \(Self.format(Self.best(retained))) ns\n")
        for i in 0..<1_000 { program.scan(ScanContext(time: Int64(i) * 10)); store.afterScan(now: Int64(i) * 10) }
        let steady = 10_000
        alloc_counter_start()
        for i in 1_000..<(1_000 + steady) {
            program.scan(ScanContext(time: Int64(i) * 10))
            store.afterScan(now: Int64(i) * 10)
        }
        let allocations = alloc_counter_stop()
        emit("retain allocs \(String(printf: "%.3f", Double(allocations) / Double(steady))) per scan with the copy and hand-over\n")
        let writes = 200
        let start = MonotonicTime.nanoseconds()
        for _ in 0..<writes { store.writeNow() }
        let perWrite = Double(MonotonicTime.nanoseconds() - start) / Double(writes)
        emit("retain write  \(String(printf: "%.3f", perWrite / 1e6)) ms per image (encode, write, fdatasync; storage thread)\n")
    }
}
