import CModbus
import Glibc
import PLCCore

/// The one owner of a libmodbus context (`modbus_t *`): RTU or TCP, connect, read, write.
///
/// Not thread-safe: a bus worker owns its connection and uses it from its own thread only.
/// The context is freed in `deinit`; a failing initialiser leaves nothing to free.
public final class ModbusConnection {
    private let context: OpaquePointer
    public let settings: BusSettings
    public private(set) var isConnected = false
    /// Who held the serial port when the last `connect()` found it locked by another program.
    public private(set) var portHolder: String?

    /// Creates the libmodbus context for `settings`; it does not open the port yet.
    public init(_ settings: BusSettings) throws(ModbusError) {
        let created: OpaquePointer?
        switch settings.transport {
        case .rtu(let device, let baud, let parity, let dataBits, let stopBits, _):
            created = modbus_new_rtu(device, Int32(baud), CChar(UInt8(ascii: parity.rawValue.unicodeScalars.first!)),
                                     Int32(dataBits), Int32(stopBits))
        case .tcp(let host, let port):
            created = modbus_new_tcp(host, Int32(port))
        }
        guard let created else {
            throw ModbusError(code: ModbusError.invalidRequestCode, reason: "cannot create the Modbus context: \(Self.lastError())")
        }
        context = created
        self.settings = settings
        modbus_set_response_timeout(context, UInt32(settings.responseTimeout / 1000),
                                    UInt32(settings.responseTimeout % 1000) * 1000)
        modbus_set_byte_timeout(context, UInt32(settings.byteTimeout / 1000), UInt32(settings.byteTimeout % 1000) * 1000)
    }

    deinit {
        if isConnected { modbus_close(context) }
        modbus_free(context)
    }

    /// Opens the serial port or TCP connection; RS-485 mode is set only when the settings ask for it.
    public func connect() throws(ModbusError) {
        guard !isConnected else { return }
        guard modbus_connect(context) == 0 else { throw ModbusError.notConnected(Self.lastError()) }
        if case .rtu(let device, _, _, _, _, _) = settings.transport {
            // Two masters on one RS-485 line corrupt each other's frames: one program per port.
            // TIOCEXCL keeps out other openers (except root); the flock names the holder.
            let fd = modbus_get_socket(context)
            _ = ioctl(fd, UInt(TIOCEXCL))
            portHolder = ExclusiveLock.take(fd)
            if let holder = portHolder {
                modbus_close(context)
                throw ModbusError.notConnected("\(device) is in use by \(holder)")
            }
        }
        if case .rtu(_, _, _, _, _, let rs485) = settings.transport, rs485 {
            guard modbus_rtu_set_serial_mode(context, Int32(MODBUS_RTU_RS485)) == 0 else {
                let why = Self.lastError()
                modbus_close(context)
                throw ModbusError.notConnected("cannot set RS-485 mode: \(why)")
            }
        }
        isConnected = true
    }

    /// Closes the port or connection; the next request needs `connect()` again.
    public func close() {
        guard isConnected else { return }
        modbus_close(context)
        isConnected = false
    }

    /// Reads `count` registers from `address` with FC03 (holding) or FC04 (input) from `slave`.
    public func readRegisters(function: UInt8, slave: Int, address: Int, count: Int,
                              into buffer: inout [UInt16]) throws(ModbusError) {
        guard function == 3 || function == 4 else {
            throw ModbusError.invalidRequest("function code \(function) does not read registers (use 3 or 4)")
        }
        guard (1...125).contains(count) else { throw ModbusError.invalidRequest("quantity \(count) is not 1 to 125") }
        guard (0...0xFFFF).contains(address), address + count <= 0x10000 else {
            throw ModbusError.invalidRequest("address \(address) is out of range")
        }
        try select(slave)
        if buffer.count < count { buffer = Array(repeating: 0, count: count) }
        let result = buffer.withUnsafeMutableBufferPointer { dest in
            function == 3 ? modbus_read_registers(context, Int32(address), Int32(count), dest.baseAddress)
                          : modbus_read_input_registers(context, Int32(address), Int32(count), dest.baseAddress)
        }
        try check(result, expected: count)
    }

    /// Reads `count` coils (FC01) or discrete inputs (FC02).
    public func readBits(function: UInt8, slave: Int, address: Int, count: Int) throws(ModbusError) -> [Bool] {
        guard function == 1 || function == 2 else {
            throw ModbusError.invalidRequest("function code \(function) does not read bits (use 1 or 2)")
        }
        guard (1...2000).contains(count) else { throw ModbusError.invalidRequest("quantity \(count) is not 1 to 2000") }
        try select(slave)
        var bits = [UInt8](repeating: 0, count: count)
        let result = bits.withUnsafeMutableBufferPointer { dest in
            function == 1 ? modbus_read_bits(context, Int32(address), Int32(count), dest.baseAddress)
                          : modbus_read_input_bits(context, Int32(address), Int32(count), dest.baseAddress)
        }
        try check(result, expected: count)
        return bits.map { $0 != 0 }
    }

    /// Writes one holding register (FC06).
    public func writeRegister(slave: Int, address: Int, value: UInt16) throws(ModbusError) {
        try select(slave)
        try check(modbus_write_register(context, Int32(address), value), expected: 1)
    }

    /// Writes several holding registers (FC16).
    public func writeRegisters(slave: Int, address: Int, values: [UInt16]) throws(ModbusError) {
        guard (1...123).contains(values.count) else {
            throw ModbusError.invalidRequest("quantity \(values.count) is not 1 to 123")
        }
        try select(slave)
        let result = values.withUnsafeBufferPointer { src in
            modbus_write_registers(context, Int32(address), Int32(values.count), src.baseAddress)
        }
        try check(result, expected: values.count)
    }

    /// After a failed transaction on RTU: reads and discards whatever arrives until the line has
    /// been silent for `quiet` ms (at most `limit` ms in all), so a late reply to the failed request
    /// cannot be taken for the reply to the next one (RTU frames carry no transaction id).
    /// Returns the number of bytes thrown away.
    @discardableResult
    public func drain(quiet: Int, limit: Int) -> Int {
        guard isConnected, case .rtu = settings.transport else { return 0 }
        let fd = modbus_get_socket(context)
        guard fd >= 0 else { return 0 }
        let start = MonotonicTime.milliseconds()
        var discarded = 0
        var chunk = [UInt8](repeating: 0, count: 256)
        while true {
            let left = limit - Int(MonotonicTime.milliseconds() - start)
            guard left > 0 else { break }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(quiet, left)))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }               // quiet long enough (or an error: nothing to read)
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { break }
            discarded += n
        }
        return discarded
    }

    private func select(_ slave: Int) throws(ModbusError) {
        guard isConnected else { throw ModbusError.notConnected("the port is closed") }
        // A reply that came after its request timed out may still sit in the input buffer; left
        // there, it would be read as the answer to this request.
        if case .rtu = settings.transport { modbus_flush(context) }
        guard modbus_set_slave(context, Int32(slave)) == 0 else {
            throw ModbusError.invalidRequest("slave \(slave) is not 0 to 247: \(Self.lastError())")
        }
    }

    private func check(_ result: Int32, expected: Int) throws(ModbusError) {
        if result == Int32(expected) { return }
        if result >= 0 {
            throw ModbusError(code: ModbusError.badReplyCode, reason: "bad reply: \(result) items instead of \(expected)")
        }
        throw Self.classify(cmodbus_errno())
    }

    /// Turns errno after a failed libmodbus call into a `ModbusError` carrying libmodbus's message.
    public static func classifyErrno(_ error: Int32) -> ModbusError { classify(error) }

    static func classify(_ error: Int32) -> ModbusError {
        let message = String(cString: modbus_strerror(error))
        let base = Int32(MODBUS_ENOBASE)
        switch error {
        case base + 1...base + 11:
            return .exception(UInt8(error - base))
        case base:
            // libmodbus passes exception code 0 through as its error base, which has no message.
            return ModbusError(code: ModbusError.badReplyCode, reason: "bad reply: exception code 0 (not a Modbus exception)")
        case EIO, ENXIO, ENODEV:
            // The USB adapter was unplugged under an open port: the README's "not connected".
            return .notConnected(message)
        case ETIMEDOUT:
            return .timeout()
        case cmodbus_EMBBADCRC:
            return ModbusError(code: ModbusError.crcCode, reason: "CRC error: \(message)")
        case cmodbus_EMBBADDATA, cmodbus_EMBBADEXC, cmodbus_EMBUNKEXC, cmodbus_EMBMDATA, cmodbus_EMBBADSLAVE:
            return ModbusError(code: ModbusError.badReplyCode, reason: "bad reply: \(message)")
        default:
            return ModbusError(code: ModbusError.ioCode, reason: "I/O error: \(message)")
        }
    }

    static func lastError() -> String {
        String(cString: modbus_strerror(cmodbus_errno()))
    }
}
