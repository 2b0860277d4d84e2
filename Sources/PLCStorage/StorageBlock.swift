public import PLCCore

/// A block whose I/O goes through the storage writer thread (files and standard output).
public protocol StorageBlock: IOBlock {
    /// Connects the block to the writer; without one, its jobs fail or print nothing.
    func attach(_ writer: StorageWriter)
}
