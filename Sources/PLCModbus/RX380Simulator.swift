/// The simulator as `plc bench` and older code name it: one RX380 (the fixed `RX380Map`) per slave.
public typealias RX380Simulator = ModbusSimulator

extension ModbusSimulator {
    /// Serves one RX380 at `slave` from `RX380Map`, on FC03 and FC04.
    public convenience init(slave: Int = 1, frozen: Bool = false) {
        self.init(devices: [slave: RX380MapDevice()], frozen: frozen)
    }
}

/// `RX380Map` as a simulated device: a pure function of time, answering exception 02 outside the map.
public final class RX380MapDevice: SimulatedDevice {
    public init() {}

    public func read(function: UInt8, address: Int, count: Int, seconds: Double) -> Result<[UInt16], SimulatedException> {
        guard RX380Map.covers(address: address, count: count) else { return .failure(.illegalAddress) }
        let map = RX380Map(seconds: seconds)
        return .success((address..<(address + count)).map { map.registers[$0] ?? 0 })
    }

    /// The map's counters are a function of time; a reset is not modelled here (model files are).
    public func resetCounters() {}
}
