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
public final class MeterRead: BusBlock {
    public static let summary = "Reads a power meter by its model file."

    @Input("rising edge starts one poll (one request per register group)", required: true) public var xExecute = false
    @Input("meter model: meters/<sModel>.yaml (a constant, read at start)") public var sModel = "rx380"
    @Input("slave address (unit id)") public var uiUnitId: UInt16 = 1
    @Input("the location's name, for error texts") public var sLocation = ""
    @Output("the poll succeeded") public var xDone = false
    @Output("a poll is running") public var xBusy = false
    @Output("a request of the poll failed") public var xError = false
    @Output("0 ok, 1-11 Modbus exception, 100 timeout, 101 CRC, 102 not connected, 103 bad reply, 104 invalid request, 105 I/O")
    public var udiErrorID: UInt32 = 0
    @Output("every group of the last poll was read") public var xValid = false
    @Output(.time, "time since the values were last all refreshed") public var tAge: Int64 = 0
    @Output("the last error in words, naming the location; empty after a good poll") public var sError = ""
    @Output("the value names, comma-separated, in output order") public var sColumns = MeterModel.columns.joined(separator: ",")
    @Output("the units, comma-separated, in output order") public var sUnits = ""
    @ArrayPin(.output, count: 16, "the values in engineering units") public var alrValues: PinArray<Double>
    @ArrayPin(.output, count: 16, "per value: read good in the last poll") public var axValid: PinArray<Bool>
    @ArrayPin(.output, .usint, count: 16, "per value: digits after the point (the register's resolution)")
    public var auiDecimals: PinArray<UInt8>
    @Output("requests sent since start") public var udiRequests: UInt32 = 0

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

    public func applyBusDefaults(slave: UInt16?, function: UInt8?, wired: (String) -> Bool) {
        if let slave, !wired("uiUnitId") { uiUnitId = slave }   // the function codes come from the model
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
        udiRequests = udiRequests &+ 1
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
}

extension MeterRead: LocationSource, BusClientBlock {
    public static var locationNamePin: String? { "sLocation" }
    public static var locationStatusPin: String { "sError" }
    public static var locationRank: LocationRank { .reader }
    /// The bus's `responseTimeout`, an input of the ST twin only (st-reference/MeterRead.st).
    public static var stBusInputs: Set<String> { ["tReplyTimeout"] }
}
