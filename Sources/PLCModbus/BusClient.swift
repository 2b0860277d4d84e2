/// A block that sends its requests through the worker owning its bus (`ModbusRead`, `MeterRead`).
public protocol BusClient: AnyObject {
    /// Connects the block to the worker that owns its bus.
    func attach(_ worker: BusWorker)
}

extension ModbusRead: BusClient {}
