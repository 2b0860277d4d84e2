public import PLCCore

/// The block types this module contributes.
public enum StorageBlocks {
    public static let types: [any FunctionBlock.Type] = [CSVLogger.self, EventLog.self, Display.self]
}
