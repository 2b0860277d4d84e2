import PLCCore

/// The strings of one machine: a STRING slot holds an index into `items`.
final class StringTable {
    @exclusivity(unchecked) var items: ContiguousArray<String> = []

    /// A new string slot's index, holding `initial`.
    func allocate(_ initial: String = "") -> Int64 {
        items.append(initial)
        return Int64(items.count - 1)
    }
}

/// The state a running body sees: its frame, the global area, strings, the scan's time.
final class Env {
    /// The frame of the running POU instance (or FUNCTION).
    @exclusivity(unchecked) var f: UnsafeMutablePointer<Int64>
    /// The global area: global variable lists and every FUNCTION's frame.
    let g: UnsafeMutablePointer<Int64>
    let strings: StringTable
    /// Set by EXIT (1), CONTINUE (2) and RETURN (3); cleared by the construct it leaves.
    @exclusivity(unchecked) var jump = 0
    @exclusivity(unchecked) var context = ScanContext()
    /// A scratch stack for call arguments, so that a nested call cannot overwrite them.
    let stack: UnsafeMutablePointer<Int64>
    @exclusivity(unchecked) var sp = 0
    /// The first run-time fault (index out of range, division by zero, null pointer), if any.
    @exclusivity(unchecked) var fault: String?
    /// The bus of the ModbusFB stand-ins, when the machine has one.
    var modbus: (any STModbusBus)?
    /// Buses bound to one client instance each, by the address of the client's frame (a program with
    /// two lines); a client not in it uses `modbus`.
    var clientBuses: [Int: any STModbusBus] = [:]

    /// The bus of the ModbusFB client whose frame is at `client`.
    func modbus(client: UnsafeMutablePointer<Int64>) -> (any STModbusBus)? {
        clientBuses.isEmpty ? modbus : clientBuses[Int(bitPattern: client)] ?? modbus
    }
    /// The folder CAA File's relative paths start from; nil: no file system (file blocks fail).
    var fileRoot: String?
    /// What the SysTimeRtc stand-ins return (0 ERR_OK); a test sets a failure, e.g. ERR_NOTIMPLEMENTED.
    @exclusivity(unchecked) var rtcResult: Int64 = 0
    /// The CAA File fault script, by block name (`WRITE`, `OPEN`, ...).
    @exclusivity(unchecked) var fileFaults: [String: STFileFault] = [:]
    /// The entries CmpLog's LogAdd2 stand-in added to the device log, oldest first.
    @exclusivity(unchecked) var deviceLog: [DeviceLogEntry] = []
    /// The background queue of the CAA File stand-ins' jobs.
    lazy var fileJobs = FileJobs()
    /// A slot that faulty accesses read and write instead of crashing.
    let trash: UnsafeMutablePointer<Int64>

    // The watchdog: loop back-edges and calls count down `ticks`; every `ticksPerCheck` of them the
    // clock is read, and a scan running longer than `budget` is aborted: `unwind` becomes 3 (RETURN),
    // which calls keep instead of clearing, so every construct up to the POU's body returns.
    /// How long one scan of the running POU may take, in ns (0: no limit); from the scan's context.
    @exclusivity(unchecked) var budget: Int64 = 0
    /// Back-edges and calls left before the next clock read.
    @exclusivity(unchecked) var ticks = Env.ticksPerCheck
    /// The monotonic time of the scan's first clock read, in ns (0: not read yet).
    @exclusivity(unchecked) var since: Int64 = 0
    /// What a call leaves in `jump`: 0, or 3 once the watchdog aborted the scan.
    @exclusivity(unchecked) var unwind = 0
    /// Where the watchdog stopped the scan (the loop or call it was in).
    @exclusivity(unchecked) var abortedAt: SourceLocation?
    static let ticksPerCheck = 1024

    init(globals: Int, strings: StringTable) {
        g = .allocate(capacity: max(globals, 1))
        g.initialize(repeating: 0, count: max(globals, 1))
        f = g
        self.strings = strings
        stack = .allocate(capacity: 4096)
        stack.initialize(repeating: 0, count: 4096)
        trash = .allocate(capacity: 64)
        trash.initialize(repeating: 0, count: 64)
    }

    deinit {
        g.deallocate()
        stack.deallocate()
        trash.deallocate()
    }

    /// TIME(): the scan's monotonic time in ms, wrapping at 2^32 as Codesys's 32-bit TIME does.
    var time: Int64 { context.time & 0xFFFF_FFFF }

    func raise(_ message: String) {
        if fault == nil { fault = message }
    }

    /// Starts the watchdog for one scan of `budget` ns (0: none).
    func startScan(budget: Int64) {
        self.budget = budget
        ticks = Env.ticksPerCheck
        since = 0
        unwind = 0
        abortedAt = nil
    }

    /// Called at a loop back-edge or call at `site`: true when the scan must unwind (the caller returns).
    @inline(__always) func overdue(_ site: SourceLocation) -> Bool {
        ticks &-= 1
        return ticks <= 0 && checkClock(site)
    }

    private func checkClock(_ site: SourceLocation) -> Bool {
        if unwind != 0 {
            jump = 3
            return true
        }
        ticks = Env.ticksPerCheck
        guard budget > 0 else { return false }
        let now = MonotonicTime.nanoseconds()
        if since == 0 {
            since = now
            return false
        }
        guard now - since > budget else { return false }
        unwind = 3
        jump = 3
        ticks = 0
        abortedAt = site
        return true
    }
}

/// A statement closure kept in an array or optional: wrapping it in a struct keeps Swift from
/// storing it at maximal abstraction, which would add a retaining thunk to every call.
struct Step {
    let run: Code.Stmt
}

/// An integer closure kept in an array (see `Step`).
struct IntStep {
    let run: Code.Int
}

/// A real closure kept in an array (see `Step`).
struct RealStep {
    let run: Code.Real
}

/// A string closure kept in an array (see `Step`).
struct StrStep {
    let run: Code.Str
}

/// The closure types the compiler produces.
enum Code {
    typealias Stmt = (Env) -> Void
    typealias Int = (Env) -> Int64
    typealias Real = (Env) -> Double
    typealias Str = (Env) -> String
    typealias Addr = (Env) -> UnsafeMutablePointer<Int64>
}
