public import PLCCore
public import PLCModbus

/// Reads one power meter of a known model: a location in a program is this block, its model name
/// and its slave address, not a copy of the register wiring.
///
/// A rising `xExecute` starts one poll: one request per request group of the model (from
/// `meters/<sModel>.yaml`), sent one after the other through the bus worker. A timeout ends the
/// poll at once (a dead meter costs one response timeout per poll, not one per group); an
/// exception on one group still reads the others. Execute behaviour as `ModbusRead`. The values
/// come out in the fixed order of `MeterModel.columns`, with per-value validity (FALSE where the
/// model lacks the value or its group failed in the last poll), so they wire straight into a
/// CSVLogger or Display. `sError` names the location.
public final class MeterRead: IOBlock, BusClient {
    public static let interface = VarTable("MeterRead", summary: "Reads a power meter by its model file.", [
        .required("xExecute", .bool, "rising edge starts one poll (one request per register group)"),
        .input("sModel", .string, .string("rx380"), "meter model: meters/<sModel>.yaml (a constant, read at start)"),
        .input("uiUnitId", .uint, .int(1), "slave address (unit id)"),
        .input("sLocation", .string, nil, "the location's name, for error texts"),
        .output("xDone", .bool, nil, "the poll succeeded"),
        .output("xBusy", .bool, nil, "a poll is running"),
        .output("xError", .bool, nil, "a request of the poll failed"),
        .output("udiErrorID", .udint, nil, "0 ok, 1-11 Modbus exception, 100 timeout, 101 CRC, 102 not connected, 103 bad reply, 104 invalid request, 105 I/O"),
        .output("xValid", .bool, nil, "every group of the last poll was read"),
        .output("tAge", .time, nil, "time since the values were last all refreshed"),
        .output("sError", .string, nil, "the last error in words, naming the location; empty after a good poll"),
        .output("sColumns", .string, .string(MeterModel.columns.joined(separator: ",")), "the value names, comma-separated, in output order"),
        .output("sUnits", .string, nil, "the units, comma-separated, in output order"),
        .output("alrValues", .array(.lreal, count: 16), nil, "the values in engineering units"),
        .output("axValid", .array(.bool, count: 16), nil, "per value: read good in the last poll"),
        .output("auiDecimals", .array(.usint, count: 16), nil, "per value: digits after the point (the register's resolution)"),
        .output("udiRequests", .udint, nil, "requests sent since start"),
    ])

    @exclusivity(unchecked) public var xExecute = false
    @exclusivity(unchecked) public var sModel = "rx380"
    @exclusivity(unchecked) public var uiUnitId: UInt16 = 1
    @exclusivity(unchecked) public var sLocation = ""
    @exclusivity(unchecked) public var xDone = false
    @exclusivity(unchecked) public var xBusy = false
    @exclusivity(unchecked) public var xError = false
    @exclusivity(unchecked) public var udiErrorID: UInt32 = 0
    @exclusivity(unchecked) public var xValid = false
    @exclusivity(unchecked) public var tAge: Int64 = 0
    @exclusivity(unchecked) public var sError = ""
    @exclusivity(unchecked) public var sColumns = MeterModel.columns.joined(separator: ",")
    @exclusivity(unchecked) public var sUnits = ""
    @exclusivity(unchecked) public var alrValues = [Double](repeating: 0, count: 16) { didSet { boxed[0] = nil } }
    @exclusivity(unchecked) public var axValid = [Bool](repeating: false, count: 16) { didSet { boxed[1] = nil } }
    @exclusivity(unchecked) public var auiDecimals = [UInt8](repeating: 0, count: 16) { didSet { boxed[2] = nil } }
    /// The three arrays as pin values, built once per change: a whole-array wire then copies a
    /// reference each scan instead of building 16 values.
    @exclusivity(unchecked) private var boxed: [IECValue?] = [nil, nil, nil]
    @exclusivity(unchecked) public var udiRequests: UInt32 = 0

    /// The model this block reads (set by `MeterSetup` before the first scan).
    public private(set) var model: MeterModel?
    private var groups: [MeterModel.Group] = []
    /// Per column: the model's value and the index of its group, or nil when the model lacks it.
    private var columns: [(value: MeterValue, group: Int)?] = []

    @exclusivity(unchecked) private var handshake = ExecuteHandshake()
    @exclusivity(unchecked) private var startPoll = false
    /// The group whose request is with the worker, and the poll's results so far.
    @exclusivity(unchecked) private var inFlight: Int?
    @exclusivity(unchecked) private var replies: [ModbusReply?] = []
    @exclusivity(unchecked) private var finished = false
    @exclusivity(unchecked) private var refreshedAt: Int64?
    @exclusivity(unchecked) private var firstScan: Int64?
    private let mailbox = ModbusMailbox()
    private var worker: BusWorker?

    public init() {}

    /// Sets the model read by this block: its groups, columns, decimals and units.
    public func configure(_ model: MeterModel) {
        self.model = model
        sModel = model.name
        groups = model.groups
        columns = MeterModel.columns.map { name in
            guard let v = model.value(named: name), v.poll,
                  let g = groups.firstIndex(where: { $0.function == v.function && $0.registers.contains(v.registers.lowerBound) })
            else { return nil }
            return (v, g)
        }
        for (i, column) in columns.enumerated() { auiDecimals[i] = UInt8(column?.value.decimals ?? 0) }
        sUnits = columns.map { $0?.value.unit ?? "" }.joined(separator: ",")
        replies = Array(repeating: nil, count: groups.count)
    }

    public func attach(_ worker: BusWorker) {
        self.worker = worker
    }

    private func request(_ group: Int) -> ModbusRequest {
        let g = groups[group]
        return ModbusRequest(slave: Int(uiUnitId), function: g.function, address: g.address, count: g.count, mailbox: mailbox)
    }

    private func send(_ group: Int) {
        inFlight = group
        udiRequests &+= 1
        if let worker {
            worker.submit(request(group))
        } else {
            mailbox.post(ModbusReply(registers: [], error: .notConnected("no bus is attached to this block"), latency: 0))
        }
    }

    /// Takes a group's reply; sends the next group at once unless the meter is not answering.
    public func readInputs() {
        guard let group = inFlight, let reply = mailbox.take() else { return }
        inFlight = nil
        replies[group] = reply
        let code = reply.error?.code
        let dead = code == ModbusError.timeoutCode || code == ModbusError.notConnectedCode
        if group + 1 < groups.count && !dead {
            send(group + 1)
        } else {
            finished = true
        }
    }

    public func execute(_ context: ScanContext) {
        if firstScan == nil { firstScan = context.time }
        handshake.clearShownResult(execute: xExecute)
        if finished {
            finished = false
            finishPoll(at: context.time)
        }
        if handshake.startsJob(execute: xExecute) {
            if groups.isEmpty {
                handshake.finish(failed: true)
                xValid = false
                udiErrorID = UInt32(ModbusError.invalidRequestCode)
                sError = "\(sLocation.isEmpty ? "" : sLocation + ": ")no meter model is configured for this block"
            } else {
                startPoll = true
            }
        }
        xDone = handshake.done
        xBusy = handshake.busy
        xError = handshake.error
        tAge = context.time - (refreshedAt ?? firstScan!)
    }

    private func finishPoll(at time: Int64) {
        var failure: (MeterModel.Group, ModbusError)?
        for (i, column) in columns.enumerated() {
            guard let column, let reply = replies[column.group], reply.error == nil,
                  reply.registers.count >= groups[column.group].count else {
                axValid[i] = false
                continue
            }
            let offset = column.value.address - groups[column.group].address
            alrValues[i] = column.value.decode(reply.registers[offset..<(offset + column.value.format.registerCount)])
            axValid[i] = alrValues[i].isFinite
        }
        for (g, reply) in replies.enumerated() {
            if let error = reply?.error ?? (reply == nil ? ModbusError.notConnected("not read: the meter did not answer an earlier group") : nil) {
                if failure == nil { failure = (groups[g], error) }
            }
        }
        handshake.finish(failed: failure != nil)
        xValid = failure == nil
        if let (group, error) = failure {
            udiErrorID = error.code
            let place = sLocation.isEmpty ? "" : "\(sLocation): "
            sError = "\(place)Error reading registers \(group.address)-\(group.address + group.count - 1) from slave \(uiUnitId): \(error.reason)"
        } else {
            udiErrorID = 0
            if !sError.isEmpty { sError = "" }
            refreshedAt = time
        }
        for g in replies.indices { replies[g] = nil }
    }

    public func writeOutputs() {
        guard startPoll else { return }
        startPoll = false
        send(0)
    }

    // MARK: - Pin glue (the one place that maps pins to properties)

    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .bool(xExecute)
            case 1: .string(sModel)
            case 2: .int(Int64(uiUnitId))
            case 3: .string(sLocation)
            case 4: .bool(xDone)
            case 5: .bool(xBusy)
            case 6: .bool(xError)
            case 7: .int(Int64(udiErrorID))
            case 8: .bool(xValid)
            case 9: .time(tAge)
            case 10: .string(sError)
            case 11: .string(sColumns)
            case 12: .string(sUnits)
            case 13, 14, 15: boxedArray(pin - 13)
            default: .int(Int64(udiRequests))
            }
        }
        set {
            switch pin {
            case 0: xExecute = newValue.bool
            case 1: sModel = newValue.string
            case 2: uiUnitId = UInt16(truncatingIfNeeded: newValue.int)
            case 3: sLocation = newValue.string
            case 4: xDone = newValue.bool
            case 5: xBusy = newValue.bool
            case 6: xError = newValue.bool
            case 7: udiErrorID = UInt32(truncatingIfNeeded: newValue.int)
            case 8: xValid = newValue.bool
            case 9: tAge = newValue.time
            case 10: sError = newValue.string
            case 11: sColumns = newValue.string
            case 12: sUnits = newValue.string
            case 13, 14, 15:
                if case .array(let items) = newValue {
                    for (i, item) in items.enumerated() where i < 16 { setElement(pin, i, item) }
                }
            default: udiRequests = UInt32(truncatingIfNeeded: newValue.int)
            }
        }
    }

    private func boxedArray(_ which: Int) -> IECValue {
        if let value = boxed[which] { return value }
        let value: IECValue = switch which {
        case 0: .array(alrValues.map { .real($0) })
        case 1: .array(axValid.map { .bool($0) })
        default: .array(auiDecimals.map { .int(Int64($0)) })
        }
        boxed[which] = value
        return value
    }

    public func element(_ pin: Int, _ index: Int) -> IECValue {
        guard (0..<16).contains(index) else { return .int(0) }
        switch pin {
        case 13: return .real(alrValues[index])
        case 14: return .bool(axValid[index])
        case 15: return .int(Int64(auiDecimals[index]))
        default: return self[pin: pin].element(index) ?? .int(0)
        }
    }

    public func setElement(_ pin: Int, _ index: Int, _ value: IECValue) {
        guard (0..<16).contains(index) else { return }
        switch pin {
        case 13: alrValues[index] = value.real
        case 14: axValid[index] = value.bool
        case 15: auiDecimals[index] = UInt8(truncatingIfNeeded: value.int)
        default: break
        }
    }
}
