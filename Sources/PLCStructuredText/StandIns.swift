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
    ]

}
