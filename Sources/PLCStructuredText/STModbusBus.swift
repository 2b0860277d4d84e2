/// The bus a machine's ModbusFB stand-ins send their requests to (an adapter puts a PLCModbus bus
/// worker behind it; the engine itself does no I/O).
public protocol STModbusBus: AnyObject {
    /// True while the bus's port or connection is open.
    var isConnected: Bool { get }
    /// Starts reading `count` registers with function 3 or 4; returns a ticket for `poll`.
    func startRead(slave: Int, function: UInt8, address: Int, count: Int) -> Int
    /// The result of `ticket` once it has arrived (then forgotten), else nil.
    func poll(_ ticket: Int) -> STModbusResult?
    /// Forgets `ticket`: a reply that still arrives is dropped.
    func cancel(_ ticket: Int)
}

/// The outcome of one request: the registers, or the project's error code (1-11 Modbus exception,
/// 100 timeout, 101 CRC, 102 not connected, 103 bad reply, 104 invalid request, 105 I/O).
public enum STModbusResult: Sendable {
    case registers([UInt16])
    case failure(code: UInt32)
}
