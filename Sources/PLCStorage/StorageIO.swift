public import PLCCore

/// The storage side of a running program: one writer thread for every CSVLogger, EventLog and Display.
public final class StorageIO: RuntimeService {
    public let writer: StorageWriter

    /// Attaches every storage block among `blocks` to a new writer.
    public init(blocks: [any FunctionBlock], rowCapacity: Int = 10_000) {
        writer = StorageWriter(rowCapacity: rowCapacity)
        for case let block as any StorageBlock in blocks {
            block.attach(writer)
        }
    }

    public var serviceName: String { "storage" }

    public func start() { writer.start() }

    /// Writes what is still queued and ends the writer thread.
    public func stop() { writer.stop() }
}
