import ArgumentParser
import Foundation
import PLCCore
import PLCGraph
import PLCModbus
import PLCStorage
import PLCRuntime

/// `plc run`: run a program as a cyclic task until stopped.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a program cyclically until SIGINT/SIGTERM, or for --cycles scans.",
        discussion: "On exit it prints the cycle statistics. A clean stop finishes the running scan first."
    )

    @OptionGroup var target: ProgramArguments

    @Option(help: "Stop after this many scans.")
    var cycles: UInt64?

    @Option(help: "Print these variables or pins (comma-separated) as CSV after every scan.")
    var monitor: String?

    @Flag(help: "Start the built-in RX380 simulator on loopback and point every bus at it.")
    var simulate = false

    func run() throws {
        let reopen = Reopen()
        // First: a Ctrl-C during start-up still stops cleanly. SIGHUP (logrotate) reopens the files.
        let stop = StopSignal(onHangUp: { reopen.run() })
        let loading = ProgramLoading(library: .all)
        var file = try loading.load(target.program, sets: target.sets)
        var simulator: RX380Simulator?
        if simulate {
            let sim = RX380Simulator(slave: Int(file.buses.first?.value("slave") ?? "1") ?? 1)
            let port: Int
            do {
                port = try sim.startTCP()
            } catch {
                throw fail("plc run --simulate: \(error.reason)")
            }
            for i in file.buses.indices {
                file.buses[i].settings += [("kind", "tcp", 0), ("host", "127.0.0.1", 0), ("port", String(port), 0)]
            }
            simulator = sim
            note("\(file.name): --simulate: RX380 simulator on tcp 127.0.0.1:\(port)")
        }
        let compiled = try loading.compile(file)
        let silent = SilentSettings.check(file, compiled)
        if !silent.isEmpty { throw fail(ProgramErrors(silent)) }
        let monitored = try monitorPaths(compiled)
        let io: ModbusIO
        do {
            io = try ModbusIO(program: compiled, file: file)
        } catch {
            throw fail(error)
        }
        let name = file.name
        for worker in io.workers.values {
            note("\(file.name): bus \(worker.name): \(worker.settings.summary)")
            worker.onLinkChange = { up, reason in note("\(name): bus \(worker.name) \(up ? "up" : "down"): \(reason)") }
        }
        // One program per serial port: a second one would garble the first one's frames.
        if let held = io.claim().first { throw fail("\(name): \(held)") }
        let storage = StorageIO(blocks: compiled.instances.map(\.block))
        reopen.action = { [writer = storage.writer] in
            note("\(name): SIGHUP: the error log and CSV files are reopened by name")
            writer.reopen()
        }
        storage.start()
        io.start()
        defer {
            // Clean stop, in order: the last scan is done; blocks hand over what must not be lost;
            // the writer writes every queued row and line; then the buses close.
            for block in compiled.ioBlocks { block.shutdown() }
            storage.stop()
            io.stop()
            simulator?.stop()
        }
        let task = CyclicTask(program: compiled, settings: file.task, clock: SystemClock())
        task.onWatchdog = { ns in note("\(name): watchdog: a scan took \(ns / 1_000_000) ms") }
        task.onClockStep = { ms in
            note("\(name): the wall clock stepped \(ms < 0 ? "back" : "forward") by \(CivilTime.duration(abs(ms)))")
        }
        note("\(file.name): running \(compiled.instances.count) blocks every T#\(file.task.interval)ms"
            + (cycles.map { " for \($0) scans" } ?? "; Ctrl-C stops"))
        if !monitored.isEmpty { emit((["cycle", "t_ms"] + monitored).joined(separator: ",") + "\n") }
        task.run(cycles: cycles, shouldStop: { stop.isSet || storage.writer.conflict != nil }, afterScan: {
            // One program per CSV folder; the folders are wired in by the first scan.
            if task.statistics.cycles == 1 { _ = storage.claimFolders() }
            guard !monitored.isEmpty else { return }
            let cells = monitored.map { path in
                CSVText.escape(IECLiteral.format(compiled.value(of: path)!, as: compiled.type(of: path)!))
            }
            emit(([String(task.statistics.cycles - 1), String(task.elapsedMilliseconds)] + cells).joined(separator: ",") + "\n")
        })
        note(task.statistics.summary(interval: file.task.interval))
        if let conflict = storage.writer.conflict { throw fail("\(name): \(conflict)") }
    }

    private func monitorPaths(_ program: CompiledProgram) throws -> [String] {
        guard let monitor else { return [] }
        let paths = monitor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for path in paths where program.type(of: path) == nil {
            throw fail("--monitor: no variable or pin named '\(path)'")
        }
        return paths
    }
}

/// What SIGHUP does, set once the storage writer exists.
private final class Reopen: @unchecked Sendable {
    private let lock = NSLock()
    private var _action: (@Sendable () -> Void)?

    var action: (@Sendable () -> Void)? {
        get { lock.withLock { _action } }
        set { lock.withLock { _action = newValue } }
    }

    func run() { action?() }
}
