public import PLCCore

/// A block whose requests go through the worker that owns its Modbus bus.
public protocol BusBlock: IOBlock {
    /// Connects the block to the worker that owns its bus; without one, every request fails "not connected".
    func attach(_ worker: BusWorker)
    /// Takes the bus's `slave` and `function` settings for the pins the program did not wire.
    func applyBusDefaults(slave: UInt16?, function: UInt8?, wired: (String) -> Bool)
}

/// The block types this module contributes.
public enum ModbusBlocks {
    public static let types: [any FunctionBlock.Type] = [ModbusRead.self]
}
