import PLCBlocks
import PLCCore
import PLCModbus
import PLCMqtt
import PLCSql
import PLCStorage

extension BlockLibrary {
    /// Every block type the command line knows.
    static var all: BlockLibrary {
        var library = BlockLibrary.standard
        for type: any FunctionBlock.Type in [ModbusRead.self, CSVLogger.self, EventLog.self, Display.self, SqlLogger.self, MqttPublish.self] {
            library.add(type)
        }
        return library
    }
}
