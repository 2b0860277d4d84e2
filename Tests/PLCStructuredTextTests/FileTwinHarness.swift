import Foundation
import PLCCore
import Testing
@testable import PLCStructuredText

/// One file-writing twin of st-reference/ (CSVLogger, EventLog) on the CAA File stand-ins in a
/// scratch folder, stepped 100 ms of scan time per call from 2025-11-27 12:00:00 local.
class FileTwinHarness {
    let root: String
    let machine: STMachine
    let block: STInstance
    var t: Int64 = 0
    static let noon: Int64 = 1_764_244_800_000

    init(root: String, machine: STMachine, block: STInstance) {
        self.root = root
        self.machine = machine
        self.block = block
    }

    func set(_ name: String, _ value: IECValue) { block[pin: block.interface.index(of: name)!] = value }
    func value(_ name: String) -> IECValue? { block.value(of: name) }

    /// One call; then every file job it started has run (each job takes one more call).
    func step() {
        block.execute(ScanContext(time: t, wallClock: Self.noon + t))
        machine.env.fileJobs.waitUntilIdle()
        t += 100
    }
}
