public import PLCCore

/// The block types this module contributes.
public enum MeterBlocks {
    public static let types: [any FunctionBlock.Type] = [MeterRead.self]
}
