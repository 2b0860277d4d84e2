public import PLCCore

/// A FUNCTION_BLOCK of a library, seen as a block type: its variable table and instances.
public struct STBlockType: @unchecked Sendable {
    let pou: POUInfo
    let library: STLibrary
    /// The variables behind the table's rows, in the same order.
    let pins: [VarInfo]
    /// The block's variable table: inputs, outputs and locals whose types IEC tables can show.
    public let interface: VarTable

    init(pou: POUInfo, library: STLibrary) {
        self.pou = pou
        self.library = library
        var pins: [VarInfo] = []
        var decls: [VarDecl] = []
        let scopes: [(AST.Section, VarDecl.Scope)] = [(.input, .input), (.output, .output), (.local, .local)]
        for (section, scope) in scopes {
            for v in pou.vars where v.section == section {
                guard let type = Values.iecType(v.type) else { continue }
                pins.append(v)
                decls.append(VarDecl(scope, v.name, type, initial: nil, comment: v.ast?.comment ?? ""))
            }
        }
        self.pins = pins
        // Initial values: read them from a fresh instance, so they are exactly what the engine starts with.
        let machine = library.makeMachine()
        let probe = STInstance(pou: pou, pins: pins, interface: VarTable(pou.name, decls), machine: machine)
        decls = decls.enumerated().map { i, d in
            VarDecl(d.scope, d.name, d.type, initial: probe[pin: i], comment: d.comment)
        }
        interface = VarTable(pou.name, summary: "", decls)
    }

    /// The type name, as declared.
    public var name: String { pou.name }

    /// A new instance on `machine` (a fresh machine when nil) at its initial values.
    public func instantiate(on machine: STMachine? = nil) -> STInstance {
        STInstance(pou: pou, pins: pins, interface: interface, machine: machine ?? library.makeMachine())
    }
}

/// One instance of an ST function block: pins by index as `IECValue`, and `execute` once per scan.
public final class STInstance {
    let pou: POUInfo
    let pins: [VarInfo]
    /// The instance's variable table (pin numbers are indices into it).
    public let interface: VarTable
    /// The machine whose globals this instance sees.
    public let machine: STMachine
    let frame: UnsafeMutablePointer<Int64>
    private let size: Int
    private let scanTime: Int?
    private let scanLocal: Int?
    private let body: Code.Stmt

    convenience init(_ type: STBlockType, machine: STMachine) {
        self.init(pou: type.pou, pins: type.pins, interface: type.interface, machine: machine)
    }

    init(pou: POUInfo, pins: [VarInfo], interface: VarTable, machine: STMachine) {
        self.pou = pou
        self.pins = pins
        self.interface = interface
        self.machine = machine
        size = max(pou.size, 1)
        frame = .allocate(capacity: size)
        frame.initialize(repeating: 0, count: size)
        let env = machine.env
        for offset in STType.instance(pou).stringSlots() { frame[offset] = env.strings.allocate() }
        let saved = env.f
        env.f = frame
        pou.initialise(env)
        env.f = saved
        // A VAR_IN_OUT is bound by its caller; an instance run on its own (a trace, an FBD box) gets a
        // private variable of the parameter's type, as the Swift block runs "without a bus".
        var backing: [UnsafeMutablePointer<Int64>] = []
        for v in pou.vars where v.section == .inOut {
            guard case .reference(let target) = v.type else { continue }
            let cell = UnsafeMutablePointer<Int64>.allocate(capacity: max(target.size, 1))
            cell.initialize(repeating: 0, count: max(target.size, 1))
            for offset in target.stringSlots() { cell[offset] = env.strings.allocate() }
            if case .instance(let inner) = target {
                env.f = cell
                inner.initialise(env)
                env.f = saved
            }
            frame[v.offset] = Int64(Int(bitPattern: cell))
            backing.append(cell)
        }
        self.backing = backing
        body = pou.runnable
        scanTime = machine.globalVar("GVL_Scan.tNow").map(\.offset)
        scanLocal = machine.globalVar("GVL_Scan.liLocalMs").map(\.offset)
    }

    private let backing: [UnsafeMutablePointer<Int64>]
    /// The values declared `VAR RETAIN` / `VAR PERSISTENT` (nested instances' included), and every value.
    lazy var declaredLeaves = Self.leaves(pou.vars, base: 0, prefix: "", inherited: nil, all: false)
    lazy var allLeaves = Self.leaves(pou.vars, base: 0, prefix: "", inherited: nil, all: true)

    deinit {
        frame.deallocate()
        for cell in backing { cell.deallocate() }
    }

    /// Sends the requests of the ModbusFB client `name` (a variable of this instance) to `bus` instead
    /// of the machine's `modbus`: one bus per line of a program with several. False when the instance
    /// has no function block instance of that name.
    @discardableResult
    public func bindModbus(_ bus: any STModbusBus, client name: String) -> Bool {
        guard let v = pou.variable(name), case .instance = v.type else { return false }
        machine.env.clientBuses[Int(bitPattern: frame + v.offset)] = bus
        return true
    }

    /// Runs the block once. `TIME()` is `context.time` (32-bit); when the sources declare the
    /// `GVL_Scan` list of `st-reference/`, its `tNow` and `liLocalMs` are stamped from the context first,
    /// as the twin's ScanClock does on a controller.
    public func execute(_ context: ScanContext) {
        let env = machine.env
        env.context = context
        if let t = scanTime { env.g[t] = context.time & 0xFFFF_FFFF }
        if let l = scanLocal { env.g[l] = context.localTime }
        let saved = env.f
        env.f = frame
        env.startScan(budget: context.watchdog)
        body(env)
        env.jump = 0
        env.f = saved
        if let site = env.abortedAt {
            watchdogAborts &+= 1
            if firstAbort == nil { firstAbort = site }
        }
    }

    /// Scans the watchdog aborted (`ScanContext.watchdog`): the body ran longer than the limit and
    /// returned from where it was, leaving its variables as they were at that point.
    public private(set) var watchdogAborts: UInt64 = 0
    private var firstAbort: SourceLocation?

    /// The first watchdog abort in words, once: later calls return nil.
    public func takeWatchdogFault() -> String? {
        guard let site = firstAbort, !abortReported else { return nil }
        abortReported = true
        return "watchdog: \(pou.name) ran longer than the task's watchdog in one scan; the scan was aborted at \(site.file):\(site.line):\(site.column)"
            + " (logged once; the block runs again each scan and is aborted each time it overruns)"
    }
    private var abortReported = false

    /// Reads or writes pin `pin` (an index into `interface.decls`); written values are converted to the pin's type.
    public subscript(pin pin: Int) -> IECValue {
        get { Values.read(frame + pins[pin].offset, type: pins[pin].type, strings: machine.env.strings) }
        set { Values.write(newValue, to: frame + pins[pin].offset, type: pins[pin].type, strings: machine.env.strings) }
    }

    /// Reads element `index` (counted from 0, whatever the array's lower bound) of array pin `pin`;
    /// `.int(0)` when out of range or not an array, as for Swift blocks.
    public func element(_ pin: Int, _ index: Int) -> IECValue {
        guard case .array(let element, let lo, let hi) = pins[pin].type, (0...(hi - lo)).contains(index) else {
            return .int(0)
        }
        return Values.read(frame + pins[pin].offset + index * element.size, type: element, strings: machine.env.strings)
    }

    /// Writes element `index` (counted from 0) of array pin `pin`; out of range is ignored.
    public func setElement(_ pin: Int, _ index: Int, _ value: IECValue) {
        guard case .array(let element, let lo, let hi) = pins[pin].type, (0...(hi - lo)).contains(index) else { return }
        Values.write(value, to: frame + pins[pin].offset + index * element.size, type: element, strings: machine.env.strings)
    }

    /// Reads a variable of an instance nested in this one (`display.asTable`), or element `index`
    /// (counted from 0) of an array variable; nil when there is no such variable or element.
    public func value(at path: String, element index: Int? = nil) -> IECValue? {
        var parts = path.split(separator: ".").map(String.init)
        var owner = pou, offset = 0
        while parts.count > 1 {
            guard let v = owner.variable(parts.removeFirst()), case .instance(let inner) = v.type else { return nil }
            offset += v.offset
            owner = inner
        }
        guard let name = parts.first, let v = owner.variable(name) else { return nil }
        var type = v.type
        offset += v.offset
        if let index {
            guard case .array(let element, let lo, let hi) = v.type, (0...(hi - lo)).contains(index) else { return nil }
            type = element
            offset += index * element.size
        }
        return Values.read(frame + offset, type: type, strings: machine.env.strings)
    }

    /// The names of this instance's variables that are instances of the function block `type`.
    public func instances(of type: String) -> [String] {
        pou.vars.compactMap { v in
            if case .instance(let p) = v.type, p.name.uppercased() == type.uppercased() { return v.name }
            return nil
        }
    }

    /// Reads any variable of the instance by name, locals included (for monitoring and tests).
    public func value(of name: String) -> IECValue? {
        guard let v = pou.variable(name) else { return nil }
        return Values.read(frame + v.offset, type: v.type, strings: machine.env.strings)
    }
}
