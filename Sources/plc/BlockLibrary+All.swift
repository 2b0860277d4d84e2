import PLCBlocks

extension BlockLibrary {
    /// Every block type the command line knows.
    static var all: BlockLibrary { .standard }
}
