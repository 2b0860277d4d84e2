#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore
import Synchronization

/// What a CSV logger's rows became: written, queued, lost, and the fault that holds them back.
///
/// The writer thread updates it; the logger block reads it at its input image.
public final class CSVStatus: Sendable {
    /// The outcome of one row: nil when written, or the error that left it queued.
    public typealias Outcome = StorageError?

    private struct State {
        var nextTicket: UInt64 = 1
        /// The one row the block waits for (its latest) and what became of it.
        var awaited: UInt64 = 0
        var outcome: Outcome?
        var written: UInt64 = 0
        var queued: Int = 0
        var lost: UInt64 = 0
        var fault: StorageError?
    }
    private let state = Mutex(State())
    /// Bumped with every change: the block's input image reads nothing else while it stays the same
    /// (most scans).
    private let changes = Atomic<UInt64>(0)

    public init() {}

    /// Changes so far; a reader that saw this number before has nothing new to read.
    public var version: UInt64 { changes.load(ordering: .acquiring) }

    private func changed() { changes.wrappingAdd(1, ordering: .releasing) }

    /// Rows written to disk, waiting in the queue, and dropped because the queue was full.
    public var counts: (written: UInt64, queued: Int, lost: UInt64) {
        state.withLock { ($0.written, $0.queued, $0.lost) }
    }

    /// The error that keeps rows from the disk now, or nil when writing works.
    public var fault: StorageError? { state.withLock { $0.fault } }

    /// The outcome of `ticket` once known: `.some(nil)` written, `.some(error)` queued behind a fault.
    /// Taken: a second call returns nil.
    public func take(_ ticket: UInt64) -> Outcome? {
        state.withLock { s in
            guard ticket == s.awaited, let result = s.outcome else { return nil }
            s.awaited = 0
            s.outcome = nil
            return result
        }
    }

    func issueTicket() -> UInt64 {
        state.withLock { s in
            changed()
            defer { s.nextTicket += 1 }
            s.queued += 1
            s.awaited = s.nextTicket
            s.outcome = nil
            return s.nextTicket
        }
    }

    func wrote(_ ticket: UInt64) {
        state.withLock { s in
            changed()
            s.written += 1
            s.queued -= 1
            s.fault = nil
            if ticket == s.awaited && s.outcome == nil { s.outcome = .some(nil) }
        }
    }

    func failed(_ ticket: UInt64, _ error: StorageError) {
        state.withLock { s in
            changed()
            s.fault = error
            if ticket == s.awaited && s.outcome == nil { s.outcome = .some(error) }
        }
    }

    func dropped(_ ticket: UInt64) {
        state.withLock { s in
            changed()
            s.queued -= 1
            s.lost += 1
            if ticket == s.awaited && s.outcome == nil {
                s.outcome = .some(StorageError(path: "", code: UInt32(ENOBUFS), reason: "row lost: the queue was full"))
            }
        }
    }
}
