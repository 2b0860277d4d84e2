public import PLCCore

/// The storage side of a running program: one writer thread for every CSVLogger, EventLog and Display.
public final class StorageIO: RuntimeService {
    public let writer: StorageWriter
    private var loggers: [CSVLogger]
    private var eventLogs: [EventLog]
    /// Lines other threads posted through `ErrorLogRoute`, until the scan thread writes them.
    private let posted = PostedLines()

    /// Attaches every storage block among `blocks` to a new writer (`earliest`: its plausible-time floor).
    public init(blocks: [any FunctionBlock], rowCapacity: Int = 10_000, earliest: Int64 = ClockFloor.earliest) {
        writer = StorageWriter(rowCapacity: rowCapacity, earliest: earliest)
        loggers = blocks.compactMap { $0 as? CSVLogger }
        eventLogs = blocks.compactMap { $0 as? EventLog }
        for case let block as any StorageBlock in blocks {
            block.attach(writer)
        }
        hookPostedLines()
    }

    /// Has the first EventLog write the posted lines before its own. Per scan it costs one atomic
    /// load: the weak reference (a retain and release through a side table) is loaded only when
    /// lines wait.
    private func hookPostedLines() {
        eventLogs.first?.beforeWriting = { [weak self, posted] in
            guard posted.isWaiting else { return }
            self?.writePosted()
        }
    }

    /// Attaches the storage blocks an online change adds (before the swap: they do not run yet).
    public func attach(added blocks: [any FunctionBlock]) {
        for case let block as any StorageBlock in blocks { block.attach(writer) }
    }

    /// Scan thread, at an online change's swap: the program's storage blocks from now on.
    public func follow(blocks: [any FunctionBlock]) {
        loggers = blocks.compactMap { $0 as? CSVLogger }
        eventLogs = blocks.compactMap { $0 as? EventLog }
        hookPostedLines()   // the first may be new
    }

    public var serviceName: String { "storage" }

    public func start() {
        writer.start()
        guard !eventLogs.isEmpty else { return }
        ErrorLogRoute.join(self) { [posted] level, text in posted.add(level, text) }
    }

    /// Scan thread: the lines posted since the last scan, into the error logs.
    private func writePosted() {
        for line in posted.take() { note(line.level, line.text, at: line.at) }
    }

    /// Rows would be lost without the writer: its end while running stops the runtime.
    public var failure: String? { writer.hasEnded ? "the storage writer's thread ended by itself" : nil }

    /// Locks the CSV folder of every logger that has one already (call after the first scan, when
    /// the folders are wired in); the first one another program holds, in words, or nil.
    public func claimFolders() -> String? {
        loggers.compactMap { writer.lockFolder($0.sFolder) }.first
    }

    /// Writes a line of the runtime's own (a wall-clock step) once into every error log the
    /// program's EventLog blocks write, stamped `localTime`; call on the scan thread, before the
    /// scan's outputs are written.
    public func note(_ level: String, _ text: String, at localTime: Int64) {
        var files = Set<String>()
        for log in eventLogs where files.insert(log.sFile).inserted {
            log.note(level, text, at: localTime)
        }
    }

    /// Writes what is still queued and ends the writer thread.
    public func stop() {
        ErrorLogRoute.leave(self)
        writer.stop()
    }
}
