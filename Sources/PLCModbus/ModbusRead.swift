public import PLCCore

/// Reads holding (FC03) or input (FC04) registers with Codesys/PLCopen *execute* behaviour.
///
/// A rising `xExecute` starts one request; `xBusy` is TRUE until the reply arrives at a later
/// scan's input image; then exactly one of `xDone` or `xError` is TRUE, held while `xExecute`
/// stays TRUE, or for one scan if it already went FALSE. A rising edge during a request is
/// ignored. `awData` keeps the last good registers; `xValid` says whether the last request
/// succeeded, `udiErrorID` why not (kept until the next reply, so it serves as the data's
/// quality), and `tAge` how old the data are.
public final class ModbusRead: IOBlock {
    public static let interface = VarTable("ModbusRead", summary: "Reads Modbus registers (FC03/FC04).", [
        .required("xExecute", .bool, "rising edge starts one request"),
        .input("uiUnitId", .uint, .int(1), "slave address (unit id)"),
        .input("usiFunction", .usint, .int(4), "3 = holding registers, 4 = input registers"),
        .input("uiStartItem", .uint, nil, "first register address (0-based, as sent on the wire)"),
        .input("uiQuantity", .uint, .int(1), "number of registers, 1 to 125"),
        .output("xDone", .bool, nil, "the request succeeded"),
        .output("xBusy", .bool, nil, "a request is running"),
        .output("xError", .bool, nil, "the request failed"),
        .output("udiErrorID", .udint, nil, "0 ok, 1-11 Modbus exception, 100 timeout, 101 CRC, 102 not connected, 103 bad reply, 104 invalid request, 105 I/O"),
        .output("xValid", .bool, nil, "awData holds the reply of the last request"),
        .output("tAge", .time, nil, "time since awData was last refreshed"),
        .output("sError", .string, nil, "the last error in words, empty when the last request succeeded"),
        .output("awData", .array(.word, count: 125), nil, "the registers read"),
    ])

    static let dataPin = 12

    @exclusivity(unchecked) public var xExecute = false
    @exclusivity(unchecked) public var uiUnitId: UInt16 = 1
    @exclusivity(unchecked) public var usiFunction: UInt8 = 4
    @exclusivity(unchecked) public var uiStartItem: UInt16 = 0
    @exclusivity(unchecked) public var uiQuantity: UInt16 = 1
    @exclusivity(unchecked) public var xDone = false
    @exclusivity(unchecked) public var xBusy = false
    @exclusivity(unchecked) public var xError = false
    @exclusivity(unchecked) public var udiErrorID: UInt32 = 0
    @exclusivity(unchecked) public var xValid = false
    @exclusivity(unchecked) public var tAge: Int64 = 0
    @exclusivity(unchecked) public var sError = ""
    @exclusivity(unchecked) public var awData = [UInt16](repeating: 0, count: 125)

    @exclusivity(unchecked) private var handshake = ExecuteHandshake()
    @exclusivity(unchecked) private var pending: ModbusRequest?
    @exclusivity(unchecked) private var arrived: ModbusReply?
    @exclusivity(unchecked) private var inFlight: ModbusRequest?
    @exclusivity(unchecked) private var refreshedAt: Int64?
    @exclusivity(unchecked) private var firstScan: Int64?
    private let mailbox = ModbusMailbox()
    private var worker: BusWorker?

    public init() {}

    /// Connects the block to the worker that owns its bus.
    public func attach(_ worker: BusWorker) {
        self.worker = worker
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

    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .bool(xExecute)
            case 1: .int(Int64(uiUnitId))
            case 2: .int(Int64(usiFunction))
            case 3: .int(Int64(uiStartItem))
            case 4: .int(Int64(uiQuantity))
            case 5: .bool(xDone)
            case 6: .bool(xBusy)
            case 7: .bool(xError)
            case 8: .int(Int64(udiErrorID))
            case 9: .bool(xValid)
            case 10: .time(tAge)
            case 11: .string(sError)
            default: .array(awData.map { .int(Int64($0)) })
            }
        }
        set {
            switch pin {
            case 0: xExecute = newValue.bool
            case 1: uiUnitId = UInt16(truncatingIfNeeded: newValue.int)
            case 2: usiFunction = UInt8(truncatingIfNeeded: newValue.int)
            case 3: uiStartItem = UInt16(truncatingIfNeeded: newValue.int)
            case 4: uiQuantity = UInt16(truncatingIfNeeded: newValue.int)
            case 5: xDone = newValue.bool
            case 6: xBusy = newValue.bool
            case 7: xError = newValue.bool
            case 8: udiErrorID = UInt32(truncatingIfNeeded: newValue.int)
            case 9: xValid = newValue.bool
            case 10: tAge = newValue.time
            case 11: sError = newValue.string
            default:
                if case .array(let items) = newValue {
                    for (i, item) in items.enumerated() where i < awData.count {
                        awData[i] = UInt16(truncatingIfNeeded: item.int)
                    }
                }
            }
        }
    }

    public func element(_ pin: Int, _ index: Int) -> IECValue {
        pin == Self.dataPin && index < awData.count ? .int(Int64(awData[index])) : self[pin: pin].element(index) ?? .int(0)
    }

    public func setElement(_ pin: Int, _ index: Int, _ value: IECValue) {
        if pin == Self.dataPin, index < awData.count { awData[index] = UInt16(truncatingIfNeeded: value.int) }
    }
}
