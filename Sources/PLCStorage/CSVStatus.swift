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
public final class CSVStatus: @unchecked Sendable {
    /// The outcome of one row: nil when written, or the error that left it queued.
    public typealias Outcome = StorageError?

    private let lock = ThreadLock()
    /// Bumped, under the lock, by every change: the block's input image reads nothing else while
    /// it stays the same (most scans).
    private let changes = Atomic<UInt64>(0)
    private var nextTicket: UInt64 = 1
    /// The one row the block waits for (its latest) and what became of it.
    private var awaited: UInt64 = 0
    private var outcome: Outcome?
    private var _written: UInt64 = 0
    private var _queued: Int = 0
    private var _lost: UInt64 = 0
    private var _fault: StorageError?

    public init() {}

    /// Changes so far; a reader that saw this number before has nothing new to read.
    public var version: UInt64 { changes.load(ordering: .acquiring) }

    private func changed() { changes.wrappingAdd(1, ordering: .releasing) }

    /// Rows written to disk, waiting in the queue, and dropped because the queue was full.
    public var counts: (written: UInt64, queued: Int, lost: UInt64) {
        lock.withLock { (_written, _queued, _lost) }
    }

    /// The error that keeps rows from the disk now, or nil when writing works.
    public var fault: StorageError? { lock.withLock { _fault } }

    /// The outcome of `ticket` once known: `.some(nil)` written, `.some(error)` queued behind a fault.
    /// Taken: a second call returns nil.
    public func take(_ ticket: UInt64) -> Outcome? {
        lock.withLock {
            guard ticket == awaited, let result = outcome else { return nil }
            awaited = 0
            outcome = nil
            return result
        }
    }

    func issueTicket() -> UInt64 {
        lock.withLock {
            changed()
            defer { nextTicket += 1 }
            _queued += 1
            awaited = nextTicket
            outcome = nil
            return nextTicket
        }
    }

    func wrote(_ ticket: UInt64) {
        lock.withLock {
            changed()
            _written += 1
            _queued -= 1
            _fault = nil
            if ticket == awaited && outcome == nil { outcome = .some(nil) }
        }
    }

    func failed(_ ticket: UInt64, _ error: StorageError) {
        lock.withLock {
            changed()
            _fault = error
            if ticket == awaited && outcome == nil { outcome = .some(error) }
        }
    }

    func dropped(_ ticket: UInt64) {
        lock.withLock {
            changed()
            _queued -= 1
            _lost += 1
            if ticket == awaited && outcome == nil {
                outcome = .some(StorageError(path: "", code: UInt32(ENOBUFS), reason: "row lost: the queue was full"))
            }
        }
    }
}
