import PLCGraph
import PLCModbus
import PLCRuntime
import PLCStorage

/// `programs/rx380_main` in virtual time: a manual clock, a simulated meter whose faults a test
/// sets, and the storage writer; for the soak and the tests that need many simulated minutes.
struct VirtualRX380 {
    let program: CompiledProgram
    let meter = SoakTests.Meter()
    let storage: StorageIO
    let clock: ManualClock
    let task: CyclicTask<ManualClock>

    /// The program with `sets` applied (and the scan period `interval` ms when given), its wall
    /// clock starting at `wallOrigin` (UTC ms) `utcOffset` seconds east.
    init(sets: [String], interval: Int64? = nil, wallOrigin: Int64, utcOffset: Int32) throws {
        var file = try ProgramLoader.load(Fixtures.programs.appendingPathComponent("rx380_main").path,
                                          enums: Fixtures.library.enumerations)
        if let interval { file.task.interval = interval }
        for set in sets { try file.apply(set: set) }
        program = try ProgramCompiler.compile(file, library: Fixtures.library)
        let meter = self.meter
        let bus = BusWorker(name: "meter", settings: BusSettings(transport: .tcp(host: "simulated", port: 502))) { meter.answer($0) }
        for case let read as ModbusRead in program.instances.map(\.block) { read.attach(bus) }
        storage = StorageIO(blocks: program.instances.map(\.block), earliest: ClockFloor.projectStart)
        storage.start()
        clock = ManualClock(wallOrigin: wallOrigin, utcOffset: utcOffset)
        clock.recordsSleeps = false
        task = CyclicTask(program: program, settings: file.task, clock: clock)
    }

    /// A clean stop: the blocks hand over what must not be lost, then the writer writes it.
    func stop() {
        for block in program.ioBlocks { block.shutdown() }
        storage.stop()
    }
}
