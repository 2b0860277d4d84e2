public import PLCCore
import PLCBlocks
import PLCMeters
import PLCModbus
import PLCStorage

extension BlockLibrary {
    /// Every Swift block type of the runtime: what each module contributes, joined once for the
    /// command line and the tests.
    public static var all: BlockLibrary {
        BlockLibrary(allSwiftTypes)
    }

    /// The Swift block types of every module, in a stable order.
    public static var allSwiftTypes: [any FunctionBlock.Type] {
        StandardBlocks.types + [CONCAT.self] + ModbusBlocks.types + StorageBlocks.types + MeterBlocks.types
    }
}
