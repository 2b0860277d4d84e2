/// What the ModbusFB stand-ins do when called: the client connects through the machine's
/// `STModbusBus`; a read request follows the PLCopen execute behaviour (CBML.ETrigTo), writes the
/// registers through `pData`, and fails with `ReplyTimeout` when no reply came within
/// `udiReplyTimeout` µs of scan time (the library's default is 50 ms).
enum ModbusStandIns {
    // ModbusFB.Error values (see LibraryInterface.modbusFB).
    static let ok: Int64 = 0, requestNotProcessed: Int64 = 50, requestException: Int64 = 51
    static let requestParameterError: Int64 = 52, requestError: Int64 = 53, replyTimeout: Int64 = 56
    static let invalidReply: Int64 = 57

    /// The Error and exception code of a failed request, from the project's error code.
    static func error(_ code: UInt32) -> (error: Int64, exception: Int64) {
        switch code {
        case 1...99: (requestException, Int64(code))
        // ModbusFB drops a frame with a bad CRC (ClientSerial's page: invalid messages are dropped at the
        // communication level), so a CRC error is no reply: a reply timeout.
        case 100, 101: (replyTimeout, 0)
        case 103: (invalidReply, 0)
        case 102: (requestNotProcessed, 0)
        case 104: (requestParameterError, 0)
        // Faults only ModbusFB has, for a test bus to script: LicenseMissing and InternalError.
        case 106: (1, 0)
        case 107: (22, 0)
        default: (requestError, 0)
        }
    }

    static func client(_ p: POUInfo) -> NativeStep {
        let xConnect = p.variable("xConnect")!.offset, xConnected = p.variable("xConnected")!.offset
        let xError = p.variable("xError")!.offset, eErrorID = p.variable("eErrorID")!.offset
        return NativeStep { env in
            let f = env.f
            let up = f[xConnect] != 0 && (env.modbus(client: f)?.isConnected ?? false)
            f[xConnected] = up ? 1 : 0
            f[xError] = f[xConnect] != 0 && !up ? 1 : 0
            f[eErrorID] = f[xError] != 0 ? 101 : 0      // Error.TcpSocketError: the port is not open
        }
    }

    static func readRegisters(_ p: POUInfo, function: UInt8) -> NativeStep {
        func at(_ name: String) -> Int { p.variable(name)!.offset }
        let xExecute = at("xExecute"), xDone = at("xDone"), xBusy = at("xBusy"), xError = at("xError")
        let rClient = at("rClient"), uiUnitId = at("uiUnitId"), udiReplyTimeout = at("udiReplyTimeout")
        let eErrorID = at("eErrorID"), eException = at("eException"), uiStartItem = at("uiStartItem")
        let uiQuantity = at("uiQuantity"), pData = at("pData"), previous = at("xPrevExecute__")
        let shown = at("xShown__"), ticket = at("diTicket__"), started = at("tStart__")
        // The client's xConnected, through the VAR_IN_OUT reference (the address of the client's frame).
        var connected = 0
        if case .reference(.instance(let client)) = p.variable("rClient")!.type {
            connected = client.variable("xConnected")!.offset
        }
        let clientConnected = connected
        return NativeStep { env in
            let f = env.f
            let execute = f[xExecute] != 0
            func finish(error: Int64, exception: Int64) {
                f[xBusy] = 0
                f[xDone] = error == ok ? 1 : 0
                f[xError] = error == ok ? 0 : 1
                f[eErrorID] = error
                f[eException] = exception
                f[shown] = 1
            }
            if f[shown] != 0 && !execute {
                f[xDone] = 0
                f[xError] = 0
                f[shown] = 0
            }
            if execute && f[previous] == 0 && f[xBusy] == 0 {
                f[xDone] = 0
                f[xError] = 0
                f[shown] = 0
                let count = Int(f[uiQuantity])
                if !(1...125).contains(count) {
                    finish(error: requestParameterError, exception: 0)
                } else if let client = UnsafeMutablePointer<Int64>(bitPattern: Int(truncatingIfNeeded: f[rClient])),
                          let bus = env.modbus(client: client), client[clientConnected] != 0 {
                    f[ticket] = Int64(bus.startRead(slave: Int(f[uiUnitId]), function: function,
                                                    address: Int(f[uiStartItem]), count: count))
                    f[started] = env.time
                    f[xBusy] = 1
                } else {
                    finish(error: requestNotProcessed, exception: 0)
                }
            }
            f[previous] = execute ? 1 : 0
            guard f[xBusy] != 0, let client = UnsafeMutablePointer<Int64>(bitPattern: Int(truncatingIfNeeded: f[rClient])),
                  let bus = env.modbus(client: client) else { return }
            if let result = bus.poll(Int(f[ticket])) {
                switch result {
                case .registers(let registers):
                    if let data = Pointer.slot(f[pData]) {
                        for (i, r) in registers.prefix(Int(f[uiQuantity])).enumerated() { data[i] = Int64(r) }
                        finish(error: ok, exception: 0)
                    } else {
                        finish(error: requestParameterError, exception: 0)
                    }
                case .failure(let code):
                    let (e, x) = error(code)
                    finish(error: e, exception: x)
                }
            } else if ((env.time - f[started]) & 0xFFFF_FFFF) * 1000 > f[udiReplyTimeout] {
                bus.cancel(Int(f[ticket]))
                finish(error: replyTimeout, exception: 0)
            }
        }
    }
}
