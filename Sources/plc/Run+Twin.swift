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
        var simulator: ModbusSimulator?
        if simulate {
            do {
                simulator = try SimulatedBus.start(&file, note: note)
            } catch {
                throw fail(error)
            }
        }
        defer { simulator?.stop() }
        guard let bus = file.buses.first else { throw fail("plc run --twin: \(file.path) declares no bus") }
        let worker: BusWorker
        do {
            worker = BusWorker(name: bus.name, settings: try BusSettings.parse(bus, file: file.path))
        } catch {
            throw fail(error)
        }
        note("\(file.name) (ST twin from \(folder)): bus \(bus.name): \(worker.settings.summary)")
        worker.start()
        defer { worker.stop() }
        machine.modbus = BusWorkerBus(worker: worker)
        machine.fileRoot = FileManager.default.currentDirectoryPath
        // The program file's variables, with their --set values, are the twin's initial values.
        for variable in file.variables {
            guard let pin = main.interface.index(of: variable.decl.name) else {
                throw fail("plc run --twin: PROGRAM \(file.name) has no variable \(variable.decl.name) (\(file.path):\(variable.line))")
            }
            main[pin: pin] = variable.decl.initial
        }
        let clock = SystemClock()
        let origin = clock.now()
        let period = file.task.interval * 1_000_000
        var deadline = origin
        var cycle: UInt64 = 0
        note("\(file.name) (ST twin): running every T#\(file.task.interval)ms" + (cycles.map { " for \($0) scans" } ?? "; Ctrl-C stops"))
        var display = TwinDisplayConsole(main)
        while !stop.isSet, cycles.map({ cycle < $0 }) ?? true {
            clock.sleep(until: deadline)
            let now = clock.now()
            let wall = clock.wallClock()
            main.execute(ScanContext(time: (now - origin) / 1_000_000, wallClock: wall, cycle: cycle,
                                     utcOffset: clock.utcOffset(at: wall)))
            if let fault = machine.takeFault() { note("\(file.name) (ST twin): \(fault)") }
            display.show()
            cycle += 1
            deadline += period
            if deadline < clock.now() { deadline = clock.now() }
        }
        note("\(file.name) (ST twin): stopped after \(cycle) scans")
    }
}
