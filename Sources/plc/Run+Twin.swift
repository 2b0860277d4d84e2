#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCApp
import PLCCore
import PLCGraph
import PLCModbus
import PLCRuntime
import PLCStructuredText
import PLCStructuredTextModbus

/// `plc run <program> --twin`: the program's Structured Text twin (the PROGRAM of the same name
/// under `st-reference/`) runs in the ST engine instead of the FBD graph, with the program file's
/// task period, bus and `--set` values: ModbusFB on the bus worker, CAA File in the working folder,
/// SysTimeRtc from the scan's clock.
struct TwinRun {
    let file: ProgramFile
    let folder: String
    let simulate: Bool
    let cycles: UInt64?
    var reset: ResetLevel? = nil

    func run(stop: StopSignal) throws {
        var file = file
        let library: STLibrary
        do {
            library = try STLibrary.load(folder: folder, root: file.name)
        } catch {
            throw fail(error)
        }
        let machine = library.makeMachine()
        guard let main = machine.instantiate(file.name) else {
            throw fail("plc run --twin: \(folder) has no PROGRAM \(file.name)")
        }
        let simulators = try startSimulators(simulate, &file, note: note)
        defer { simulators.forEach { $0.stop() } }
        guard !file.buses.isEmpty else { throw fail("plc run --twin: \(file.path) declares no bus") }
        // One worker per bus, as the FBD program has. The export names each bus's client after the
        // bus (`line1 : ModbusFB.ClientSerial`): that client's requests go to its worker; the first
        // bus also serves any client of another name (rx380_main's `meter`).
        var workers: [BusWorker] = []
        defer { workers.forEach { $0.stop() } }
        for bus in file.buses {
            let worker: BusWorker
            do {
                worker = BusWorker(name: bus.name, settings: try BusSettings.parse(bus, file: file.path))
            } catch {
                throw fail(error)
            }
            note("\(file.name) (ST twin from \(folder)): bus \(bus.name): \(worker.settings.summary)")
            worker.start()
            workers.append(worker)
            let adapter = BusWorkerBus(worker: worker)
            if machine.modbus == nil { machine.modbus = adapter }
            if !main.bindModbus(adapter, client: bus.name) && file.buses.count > 1 {
                throw fail("plc run --twin: PROGRAM \(file.name) has no client '\(bus.name)' for bus \(bus.name) (\(file.path))")
            }
        }
        machine.fileRoot = FileManager.default.currentDirectoryPath
        // The program file's variables, with their --set values, are the twin's initial values.
        // FB state lives in the FB instances: only the program's own variables, with their --set
        // values (applied to the flattened file, not to the file as written).
        let own = Set((file.functionBlocks?.written.variables ?? file.variables).map { $0.decl.name.uppercased() })
        for variable in file.variables where own.contains(variable.decl.name.uppercased()) {
            guard let pin = main.interface.index(of: variable.decl.name) else {
                throw fail("plc run --twin: PROGRAM \(file.name) has no variable \(variable.decl.name) (\(file.path):\(variable.line))")
            }
            main[pin: pin] = variable.decl.initial
        }
        // What the PROGRAM declares VAR RETAIN / VAR PERSISTENT; the twin's images are its own.
        let retain = try RetainSetup.start(RetainSet(declaring: main), file: file, reset: reset, program: file.name + "-twin")
        // The same executor as the FBD program: absolute deadlines, the overrun rule, statistics, watchdog.
        let task = CyclicTask(program: TwinScan(main: main, machine: machine, name: file.name), settings: file.task,
                              clock: SystemClock())
        task.onWatchdog = { [name = file.name] ns in note("\(name) (ST twin): watchdog: a scan took \(ns / 1_000_000) ms") }
        note("\(file.name) (ST twin): running every T#\(file.task.interval)ms" + (cycles.map { " for \($0) scans" } ?? "; Ctrl-C stops"))
        var display = TwinDisplayConsole(main)
        task.run(cycles: cycles, shouldStop: { stop.isSet }, afterScan: {
            display.show()
            retain?.afterScan(now: task.elapsedMilliseconds)
        })
        retain?.stop(now: task.elapsedMilliseconds)
        note(task.statistics.summary(interval: file.task.interval))
        let cycle = task.statistics.cycles
        note("\(file.name) (ST twin): stopped after \(cycle) scans")
    }
}

/// The twin's PROGRAM instance as a cyclic task's program; a run-time fault is one line, the scan goes on.
private final class TwinScan: Scannable {
    let main: STInstance
    let machine: STMachine
    let name: String

    init(main: STInstance, machine: STMachine, name: String) {
        self.main = main
        self.machine = machine
        self.name = name
    }

    func scan(_ context: ScanContext) {
        main.execute(context)
        if let fault = machine.takeFault() { note("\(name) (ST twin): \(fault)") }
    }
}
