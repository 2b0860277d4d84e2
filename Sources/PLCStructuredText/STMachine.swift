public import PLCCore

/// The run-time state shared by instances: global variables, FUNCTION frames and strings.
///
/// A machine belongs to the one thread that runs its task, like a block instance.
public final class STMachine {
    let library: STLibrary
    let env: Env

    init(_ library: STLibrary) {
        self.library = library
        env = Env(globals: library.index.globalSize, strings: StringTable())
        for offset in library.index.globalStrings { env.g[offset] = env.strings.allocate() }
        env.f = env.g
        library.initialiseGlobals(env)
    }

    /// The bus behind every ModbusFB client of this machine (nil: requests fail as not processed).
    public var modbus: (any STModbusBus)? {
        get { env.modbus }
        set { env.modbus = newValue }
    }

    /// The folder the CAA File stand-ins resolve relative paths against; nil (the default) gives them
    /// no file system, so they fail, as a Swift storage block without a writer does.
    public var fileRoot: String? {
        get { env.fileRoot }
        set { env.fileRoot = newValue }
    }

    /// The RTS_IEC_RESULT the SysTimeRtc stand-ins return: 0 (ERR_OK, the default), or a failure for
    /// a test of the clock's error path; on a failure they leave their outputs unchanged.
    public var rtcResult: Int64 {
        get { env.rtcResult }
        set { env.rtcResult = newValue }
    }

    /// The CAA File fault script: per block (`WRITE`, `OPEN`, `FLUSH`, `CLOSE`, `GETSIZE`,
    /// `DIRCREATE`, `READ`), a failure its jobs end with, or a busy handle; empty (the default): real I/O.
    public var fileFaults: [String: STFileFault] {
        get { env.fileFaults }
        set { env.fileFaults = newValue }
    }

    /// The entries the program added to the device log through CmpLog's LogAdd2, oldest first:
    /// what Codesys shows on the device's Log page.
    public var deviceLog: [DeviceLogEntry] { env.deviceLog }

    /// A new instance of the function block `name` at its initial values, or nil when there is none.
    public func instantiate(_ name: String) -> STInstance? {
        library.functionBlock(name).map { STInstance($0, machine: self) }
    }

    /// The first run-time fault (index out of range, division by zero, null pointer), cleared on read.
    public func takeFault() -> String? {
        defer { env.fault = nil }
        return env.fault
    }

    /// Writes global `GVL.name` (or an unqualified global); false when there is no such variable.
    @discardableResult
    public func setGlobal(_ name: String, _ value: IECValue) -> Bool {
        guard let v = globalVar(name) else { return false }
        Values.write(value, to: env.g + v.offset, type: v.type, strings: env.strings)
        return true
    }

    /// Reads global `GVL.name` (or an unqualified global).
    public func global(_ name: String) -> IECValue? {
        guard let v = globalVar(name) else { return nil }
        return Values.read(env.g + v.offset, type: v.type, strings: env.strings)
    }

    func globalVar(_ name: String) -> VarInfo? {
        let parts = name.split(separator: ".")
        if parts.count == 2, let gvl = library.index.gvls[library.index.lookupKey(String(parts[0]))]
            ?? library.index.gvls[parts[0].uppercased()] {
            return gvl.vars.first { $0.name.uppercased() == parts[1].uppercased() }
        }
        return library.index.globals[name.uppercased()]
    }
}
