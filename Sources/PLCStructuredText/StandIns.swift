/// The Swift bodies of the library stand-ins whose declarations `LibraryInterface.all` holds.
enum StandIns {

    /// Swift bodies of stand-ins that do something, by upper-cased qualified name; each is made
    /// from its POU, whose variables' offsets it reads once.
    static let native: [String: @Sendable (POUInfo) -> NativeStep] = [
        "ModbusFB.CLIENTSERIAL": ModbusStandIns.client,
        "ModbusFB.CLIENTTCP": ModbusStandIns.client,
        "ModbusFB.CLIENTREQUESTREADINPUTREGISTERS": { ModbusStandIns.readRegisters($0, function: 4) },
        "ModbusFB.CLIENTREQUESTREADHOLDINGREGISTERS": { ModbusStandIns.readRegisters($0, function: 3) },
        "FILE.OPEN": FileStandIns.open,
        "FILE.CLOSE": FileStandIns.close,
        "FILE.WRITE": FileStandIns.write,
        "FILE.READ": FileStandIns.read,
        "FILE.GETSIZE": FileStandIns.getSize,
        "FILE.FLUSH": FileStandIns.flush,
        "FILE.DIRCREATE": FileStandIns.dirCreate,
        "SYSTIMERTCHIGHRESGET": TimeStandIns.highResGet,
        "SYSTIMERTCGET": TimeStandIns.get,
        "SYSTIMERTCCONVERTUTCTOLOCAL": TimeStandIns.utcToLocal,
        "SYSTIMERTCCONVERTHIGHRESTOLOCAL": { TimeStandIns.highResToDate($0, local: true) },
        "SYSTIMERTCCONVERTHIGHRESTODATE": { TimeStandIns.highResToDate($0, local: false) },
        "LOGADD2": logAdd2,
    ]

    /// CmpLog's LogAdd2: appends the entry to the machine's device log and returns ERR_OK (0).
    static func logAdd2(_ p: POUInfo) -> NativeStep {
        func at(_ name: String) -> Int { p.variable(name)!.offset }
        let logger = at("hLogger"), component = at("udiCmpID"), classID = at("udiClassID"), error = at("udiErrorID")
        let info = at("udiInfoID"), text = at("pszInfo")
        return NativeStep { env in
            let f = env.f
            env.deviceLog.append(DeviceLogEntry(logger: f[logger], component: f[component], classID: f[classID],
                                                errorID: f[error], infoID: f[info], text: env.strings.items[Int(f[text])]))
            f[0] = 0
        }
    }
}

/// One entry of the device log, as CmpLog's LogAdd2 received it.
public struct DeviceLogEntry: Sendable, Equatable {
    public let logger: Int64
    public let component: Int64
    /// LogClass: 1 info, 2 warning, 4 error, 8 exception, 16 debug.
    public let classID: Int64
    public let errorID: Int64
    public let infoID: Int64
    public let text: String

}
