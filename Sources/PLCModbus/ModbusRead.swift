public import PLCCore

/// Reads holding (FC03) or input (FC04) registers with Codesys/PLCopen *execute* behaviour.
///
/// A rising `xExecute` starts one request; `xBusy` is TRUE until the reply arrives at a later
/// scan's input image; then exactly one of `xDone` or `xError` is TRUE, held while `xExecute`
/// stays TRUE, or for one scan if it already went FALSE. A rising edge during a request is
/// ignored. `awData` keeps the last good registers; `xValid` says whether the last request
/// succeeded, `udiErrorID` why not (kept until the next reply, so it serves as the data's
/// quality), and `tAge` how old the data are.
public final class ModbusRead: BusBlock {
    public static let summary = "Reads Modbus registers (FC03/FC04)."

    @Input("rising edge starts one request", required: true) public var xExecute = false
    @Input("slave address (unit id)") public var uiUnitId: UInt16 = 1
    @Input("3 = holding registers, 4 = input registers") public var usiFunction: UInt8 = 4
    @Input("first register address (0-based, as sent on the wire)") public var uiStartItem: UInt16 = 0
    @Input("number of registers, 1 to 125") public var uiQuantity: UInt16 = 1
    @Output("the request succeeded") public var xDone = false
    @Output("a request is running") public var xBusy = false
    @Output("the request failed") public var xError = false
    @Output("0 ok, 1-11 Modbus exception, 100 timeout, 101 CRC, 102 not connected, 103 bad reply, 104 invalid request, 105 I/O")
    public var udiErrorID: UInt32 = 0
    @Output("awData holds the reply of the last request") public var xValid = false
    @Output(.time, "time since awData was last refreshed") public var tAge: Int64 = 0
    @Output("the last error in words, empty when the last request succeeded") public var sError = ""
    @ArrayPin(.output, .word, count: 125, "the registers read") public var awData: PinArray<UInt16>

    @exclusivity(unchecked) private var handshake = ExecuteHandshake()
    @exclusivity(unchecked) private var pending: ModbusRequest?
    @exclusivity(unchecked) private var arrived: ModbusReply?
    @exclusivity(unchecked) private var inFlight: ModbusRequest?
    @exclusivity(unchecked) private var refreshedAt: Int64?
    @exclusivity(unchecked) private var firstScan: Int64?
    private let mailbox = ModbusMailbox()
    private var worker: BusWorker?

    public init() {}

    public func attach(_ worker: BusWorker) {
        self.worker = worker
    }

    public func applyBusDefaults(slave: UInt16?, function: UInt8?, wired: (String) -> Bool) {
        if let slave, !wired("uiUnitId") { uiUnitId = slave }
        if let function, !wired("usiFunction") { usiFunction = function }
    }

    public func readInputs() {
        guard inFlight != nil, let reply = mailbox.take() else { return }
        arrived = reply
    }

    public func execute(_ context: ScanContext) {
        if firstScan == nil { firstScan = context.time }
        handshake.clearShownResult(execute: xExecute)
        if let reply = arrived, let request = inFlight {
            arrived = nil
            inFlight = nil
            handshake.finish(failed: reply.error != nil)
            if let error = reply.error {
                xValid = false
                udiErrorID = error.code
                sError = "Error reading \(request.description): \(error.reason)"
            } else {
                for (i, word) in reply.registers.enumerated() where i < awData.count { awData[i] = word }
                xValid = true
                udiErrorID = 0
                if !sError.isEmpty { sError = "" }
                refreshedAt = context.time
            }
        }
        if handshake.startsJob(execute: xExecute) {
            pending = ModbusRequest(slave: Int(uiUnitId), function: usiFunction, address: Int(uiStartItem),
                                    count: Int(uiQuantity), mailbox: mailbox)
        }
        xDone = handshake.done
        xBusy = handshake.busy
        xError = handshake.error
        tAge = context.time - (refreshedAt ?? firstScan!)
    }

    public func writeOutputs() {
        guard let request = pending else { return }
        pending = nil
        inFlight = request
        if let worker {
            worker.submit(request)
        } else {
            mailbox.post(ModbusReply(registers: [], error: .notConnected("no bus is attached to this block"), latency: 0))
        }
    }
}

extension ModbusRead: BusClientBlock {
    /// The bus's `responseTimeout`, an input of the ST twin only.
    public static var stBusInputs: Set<String> { ["tReplyTimeout"] }
    /// The twin is ModbusFB's ClientRequest wrapper: slave, function and timeout are its inputs.
    public static var stTakesBusSettings: Bool { true }
}
