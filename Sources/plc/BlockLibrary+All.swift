import PLCBlocks
import PLCModbus

extension BlockLibrary {
    /// Every block type the command line knows.
    static var all: BlockLibrary {
        var library = BlockLibrary.standard
        library.add(ModbusRead.self)
        return library
    }
}
