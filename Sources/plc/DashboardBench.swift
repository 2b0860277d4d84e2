import ArgumentParser
import CAllocCounter
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import Dispatch
import PLCCore
import PLCGraph
import PLCHttp
import PLCModbus
import PLCRuntime
import Synchronization

/// `plc bench-dashboard`: what the web dashboard costs the scan, with the server off, on with no
/// client, and on with a client polling; plus the cost of one snapshot and the process's memory.
struct DashboardBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-dashboard",
        abstract: "Measure scan time, allocations and memory of programs/rx380_main with the dashboard off, idle and polled.",
        discussion: "Build with -c release for meaningful figures: swift run -c release plc bench-dashboard"
    )

    @Option(help: "Seconds of real task per phase.")
    var seconds = 10.0

    @Option(help: "Scan period of the task in ms.")
    var interval: Int64 = 10

    @Option(help: "The polling client's period in ms (it reads /api/values, / and /metrics in turn).")
    var pollMs = 100

    func run() throws {
        let loading = ProgramLoading(library: .all)
        let simulator = RX380Simulator()
        let simPort = try simulator.startTCP()
        defer { simulator.stop() }
        var file = try loading.load("programs/rx380_main", sets: ["PollInterval=T#500ms", "LogInterval=T#24h",
                                                                   "DisplayInterval=T#24h", "ErrorLogFile=/dev/null"])
        file.buses[0].settings += [.init("kind", "tcp", .runtime("bench")), .init("host", "127.0.0.1", .runtime("bench")),
                                   .init("port", String(simPort), .runtime("bench"))]
        file.task.interval = interval
        emit("plc bench-dashboard: rx380_main on the simulator, T#\(interval)ms task, \(seconds) s per phase\n")
        emit("memory        before any phase: \(Self.memory())\n")
        try snapshotCost(loading, file)
        for phase in ["off", "on, no client", "on, client polling every \(pollMs) ms"] {
            try measure(phase, loading: loading, file: file, server: phase != "off", poll: phase.contains("polling"))
        }
    }

    /// The cost of one snapshot on the scan thread, and of the per-scan check when nobody asks.
    private func snapshotCost(_ loading: ProgramLoading, _ file: ProgramFile) throws {
        let program = try loading.setup(file).another()
        for i in 0..<100 { program.scan(ScanContext(time: Int64(i) * 10, cycle: UInt64(i))) }
        let builder = SnapshotBuilder(program: program, task: file.task, workers: [])
        let statistics = CycleStatistics()
        var times: [Double] = []
        for _ in 0..<200 {
            let start = MonotonicTime.nanoseconds()
            _ = builder.build(statistics: statistics)
            times.append(Double(MonotonicTime.nanoseconds() - start))
        }
        alloc_counter_start()
        let snapshot = builder.build(statistics: statistics)
        let allocations = alloc_counter_stop()
        let pins = snapshot.instances.reduce(0) { $0 + $1.pins.count }
        emit("snapshot      build \(Self.micro(times.sorted()[times.count / 2])) (median of 200), \(allocations) allocations, "
             + "\(pins) variables and pins, \(snapshot.locations.count) location(s)\n")
        let box = SnapshotBox()
        var wanted = 0
        let start = MonotonicTime.nanoseconds()
        alloc_counter_start()
        for _ in 0..<100_000 where box.wantsSnapshot(now: MonotonicTime.nanoseconds()) { wanted += 1 }
        let checkAllocations = alloc_counter_stop()
        let perCheck = Double(MonotonicTime.nanoseconds() - start) / 100_000
        emit("idle check    \(String(printf: "%.0f", perCheck)) ns and \(checkAllocations) allocations in 100000 per-scan checks "
             + "with no client (\(wanted) snapshots wanted)\n")
        try trendCost(program, task: file.task)
    }

    private func measure(_ phase: String, loading: ProgramLoading, file: ProgramFile, server: Bool, poll: Bool) throws {
        let setup = try loading.setup(file)
        let program = setup.program, io = setup.modbus
        io.start()
        defer { io.stop() }
        let dashboard = server ? try Dashboard(listen: ListenAddress("127.0.0.1:0"), program: program, task: file.task,
                                               workers: Array(io.workers.values)) : nil
        defer { dashboard?.stop() }
        let client = poll ? dashboard.map { PollingClient(port: $0.port, periodMs: pollMs) } : nil
        let task = CyclicTask(program: program, settings: file.task, clock: SystemClock())
        var publishNs: Int64 = 0, publishMax: Int64 = 0
        let scans = UInt64(seconds * 1000 / Double(interval))
        alloc_counter_start()
        task.run(cycles: scans, afterScan: {
            let start = MonotonicTime.nanoseconds()
            dashboard?.afterScan(task.statistics)
            let spent = MonotonicTime.nanoseconds() - start
            publishNs += spent
            publishMax = max(publishMax, spent)
        })
        let allocations = alloc_counter_stop()
        let requests = client?.stop() ?? 0
        let s = task.statistics
        emit("\(phase):\n")
        emit("  scan        avg \(Self.micro(Double(s.average))), max \(Self.micro(Double(s.max))); start jitter p50 "
             + "\(Self.micro(Double(s.jitterPercentile(0.5)))), p99 \(Self.micro(Double(s.jitterPercentile(0.99)))), "
             + "max \(Self.micro(Double(s.maxJitter))); overruns \(s.overruns)\n")
        emit("  publishing  avg \(Self.micro(Double(publishNs) / Double(s.cycles))) per scan, max \(Self.micro(Double(publishMax))); "
             + "\(dashboard?.box.publishedCount ?? 0) snapshots for \(requests) requests\n")
        emit("  allocations \(String(printf: "%.1f", Double(allocations) / Double(s.cycles))) per scan, process-wide "
             + "(bus worker\(server ? ", server" : "")\(poll ? ", client" : "") included)\n")
        emit("  memory      \(Self.memory())\n")
    }

    /// VmRSS and VmHWM of this process.
    static func memory() -> String {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let wanted = status.split(separator: "\n").filter { $0.hasPrefix("VmRSS") || $0.hasPrefix("VmHWM") }
        return wanted.map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }.joined(separator: ", ")
    }

    static func micro(_ ns: Double) -> String { String(printf: "%.1f µs", ns / 1000) }
}

/// A client thread that reads /api/values, / and /metrics in turn every `periodMs`, like a busy browser plus Prometheus.
final class PollingClient: Sendable {
    /// Whether to stop, and the requests answered with 200 so far.
    private let state = Mutex((stopping: false, served: 0))
    private let done = DispatchSemaphore(value: 0)

    init(port: Int, periodMs: Int) {
        DetachedThread.start(name: "plc.poller") { [self] in
            let paths = ["/api/values", "/", "/metrics"]
            var n = 0
            while !state.withLock({ $0.stopping }) {
                if LoopbackClient.request(port: port, path: paths[n % paths.count])?.status == 200 {
                    state.withLock { $0.served += 1 }
                }
                n += 1
                usleep(UInt32(periodMs) * 1000)
            }
            done.signal()
        }
    }

    /// Stops the thread and returns the requests answered with 200.
    func stop() -> Int {
        state.withLock { $0.stopping = true }
        done.wait()
        return state.withLock { $0.served }
    }
}

extension DashboardBench {
    /// The trend rings: allocations of the per-scan check between points and of one point, and their fixed memory.
    func trendCost(_ program: CompiledProgram, task: ProgramFile.Task) throws {
        let dashboard = try Dashboard(listen: ListenAddress("127.0.0.1:0"), program: program, task: task, workers: [])
        defer { dashboard.stop() }
        let t0 = MonotonicTime.nanoseconds()
        dashboard.trend.sample(program: program, now: t0)
        usleep(100_000)     // the server thread settles: the counter is process-wide
        alloc_counter_start()
        for i in 0..<100_000 { dashboard.trend.sample(program: program, now: t0 + Int64(i)) }
        let between = alloc_counter_stop()
        alloc_counter_start()
        dashboard.trend.sample(program: program, now: t0 + 10_000_000_000)
        let point = alloc_counter_stop()
        emit("trend rings   \(dashboard.trend.bytes) bytes fixed; \(between) allocations in 100000 per-scan checks between points, "
             + "\(point) allocations per point (every \(TrendRecorder.stepSeconds) s)\n")
    }
}
