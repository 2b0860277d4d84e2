/// One slave that `ModbusSimulator` serves: it answers register reads from its own state.
///
/// `seconds` is the simulator's elapsed time on a monotonic clock (never negative, never going
/// back), so a device may integrate over it. Called from the serving thread only.
public protocol SimulatedDevice: AnyObject, Sendable {
    /// The registers `address..<address+count` read with `function`, or the Modbus exception code
    /// the device answers instead (1 illegal function, 2 illegal data address).
    func read(function: UInt8, address: Int, count: Int, seconds: Double) -> Result<[UInt16], SimulatedException>
    /// The energy counters start again from zero (a meter swap or a reset from the front panel).
    func resetCounters()
}

/// A Modbus exception code a simulated device answers with.
public struct SimulatedException: Error, Equatable, Sendable {
    public let code: UInt8
    public init(_ code: UInt8) { self.code = code }
    /// Exception 01: the device does not support this function code.
    public static let illegalFunction = SimulatedException(1)
    /// Exception 02: a register of the request is not in the device's map.
    public static let illegalAddress = SimulatedException(2)
}
