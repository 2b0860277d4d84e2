#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore
import Dispatch

/// What the CAA File stand-ins do, over POSIX, never blocking the scan: the CBM.ETrig behaviour (a
/// rising xExecute reads the inputs and starts the job on the machine's file thread, xBusy until a
/// later call picks up its result, then xDone or xError held while xExecute stays TRUE, or shown for
/// one call if it already fell), with files relative to the machine's `fileRoot`. Handles are file
/// descriptors plus one (0 is no handle).
enum FileStandIns {
    // FILE.ERROR values (see LibraryInterface.caaFile).
    static let noError: Int64 = 0, handleError: Int64 = 5103, notExist: Int64 = 5104, exist: Int64 = 5105
    static let readOnly: Int64 = 5108, wrongParameter: Int64 = 5109, unknown: Int64 = 5110
    static let writeIncomplete: Int64 = 5111, notImplemented: Int64 = 5112

    static func error(_ code: Int32) -> Int64 {
        switch code {
        case ENOENT, ENOTDIR: notExist
        case EEXIST: exist
        case EACCES, EROFS, EPERM: readOnly
        case EBADF: handleError
        case ENOSPC, EFBIG: writeIncomplete
        default: unknown
        }
    }

    /// The work of one call, made from the inputs at the rising edge; it runs on the file thread.
    typealias Job = @Sendable () -> FileResult
    /// Reads the block's inputs on the scan thread and returns the job.
    typealias Prepare = @Sendable (Env, UnsafeMutablePointer<Int64>) -> Job
    /// Writes a finished job's outputs into the block, on the scan thread.
    typealias Apply = @Sendable (Env, UnsafeMutablePointer<Int64>, FileResult) -> Void

    /// The ETrig wrapper around a job for the block `p`.
    /// `unchanged`, when given, is asked when the job is picked up: false (the caller changed what the
    /// job was started with, which the library forbids while it is busy) fails the job with WRONG_PARAMETER.
    static func etrig(_ p: POUInfo, _ prepare: @escaping Prepare, apply: @escaping Apply = { _, _, _ in },
                      unchanged: (@Sendable (Env, UnsafeMutablePointer<Int64>) -> Bool)? = nil) -> NativeStep {
        func at(_ name: String) -> Int { p.variable(name)!.offset }
        let xExecute = at("xExecute"), xDone = at("xDone"), xBusy = at("xBusy"), xError = at("xError")
        let eError = at("eError"), previous = at("xPrevExecute__"), shown = at("xShown__"), pending = at("xPending__")
        let ticket = at("liTicket__")
        let operation = (p.name.split(separator: ".").last.map(String.init) ?? p.name).uppercased()
        return NativeStep { env in
            let f = env.f
            let execute = f[xExecute] != 0
            if f[shown] != 0 && !execute {
                f[xDone] = 0
                f[xError] = 0
                f[shown] = 0
            }
            if f[pending] != 0 {
                // A scripted busy handle: the job stays busy while the script says so.
                if case .busy = env.fileFaults[operation] {
                    f[previous] = execute ? 1 : 0
                    return
                }
                // Ticket 0: the machine has no file system; the job fails in the call after it started.
                var result = f[ticket] == 0 ? FileResult(error: notImplemented) : env.fileJobs.take(f[ticket])
                if result != nil, let unchanged, !unchanged(env, f) { result = FileResult(error: wrongParameter) }
                if let result {
                    if result.error == noError { apply(env, f, result) }
                    f[pending] = 0
                    f[xBusy] = 0
                    f[xDone] = result.error == noError ? 1 : 0
                    f[xError] = result.error == noError ? 0 : 1
                    f[eError] = result.error
                    f[shown] = 1
                }
            } else if execute && f[previous] == 0 && f[xBusy] == 0 {
                f[xDone] = 0
                f[xError] = 0
                f[eError] = 0
                f[shown] = 0
                f[xBusy] = 1
                f[pending] = 1
                let job = prepare(env, f)
                if case .fail(let code) = env.fileFaults[operation] {
                    f[ticket] = env.fileJobs.submit { FileResult(error: code) }     // scripted: no I/O
                } else {
                    f[ticket] = env.fileRoot == nil ? 0 : env.fileJobs.submit(job)
                }
            }
            f[previous] = execute ? 1 : 0
        }
    }

    static func path(_ env: Env, _ f: UnsafeMutablePointer<Int64>, _ offset: Int) -> String {
        let name = env.strings.items[Int(f[offset])]
        return name.hasPrefix("/") ? name : (env.fileRoot ?? ".").pathAppending(name)
    }

    static func fd(_ handle: Int64) -> Int32? { handle > 0 ? Int32(truncatingIfNeeded: handle - 1) : nil }

    static func open(_ p: POUInfo) -> NativeStep {
        let name = p.variable("sFileName")!.offset, mode = p.variable("eFileMode")!.offset
        let handle = p.variable("hFile")!.offset
        return etrig(p, { env, f in
            let file = path(env, f, name)
            let flags: Int32
            switch f[mode] {
            case 0: flags = O_WRONLY | O_CREAT | O_TRUNC
            case 1: flags = O_RDONLY
            case 2: flags = O_RDWR | O_CREAT
            case 3: flags = O_WRONLY | O_CREAT | O_APPEND
            default: flags = O_RDWR | O_CREAT | O_APPEND
            }
            return {
                let fd = Glibc.open(file, flags, 0o644)
                return fd < 0 ? FileResult(error: error(errno)) : FileResult(number: Int64(fd) + 1)
            }
        }, apply: { _, f, result in f[handle] = result.number })
    }

    static func close(_ p: POUInfo) -> NativeStep {
        let handle = p.variable("hFile")!.offset
        return etrig(p) { _, f in
            let file = fd(f[handle])
            return {
                guard let file else { return FileResult(error: handleError) }
                return FileResult(error: Glibc.close(file) == 0 ? noError : error(errno))
            }
        }
    }

    static func flush(_ p: POUInfo) -> NativeStep {
        let handle = p.variable("hFile")!.offset
        return etrig(p) { _, f in
            let file = fd(f[handle])
            return {
                guard let file else { return FileResult(error: handleError) }
                return FileResult(error: fsync(file) == 0 ? noError : error(errno))
            }
        }
    }

    /// The `size` bytes at the buffer address `buffer`, or nil when it points nowhere.
    static func bytes(_ env: Env, at buffer: Int64, size: Int64) -> [UInt8]? {
        guard let slot = Pointer.slot(buffer), size >= 0 else { return nil }
        if Pointer.isString(buffer) { return Array(env.strings.items[Int(slot.pointee)].utf8.prefix(Int(size))) }
        return (0..<Int(size)).map { UInt8(truncatingIfNeeded: slot[$0]) }
    }

    /// A 64-bit FNV-1a sum of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> Int64 {
        Int64(bitPattern: bytes.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })
    }

    /// FILE.Write; the buffer must stay as it was until the write is done (its help page says so):
    /// a changed buffer fails the write here, where a controller would write whatever it then holds.
    static func write(_ p: POUInfo) -> NativeStep {
        let handle = p.variable("hFile")!.offset, buffer = p.variable("pBuffer")!.offset
        let size = p.variable("szSize")!.offset, sum = p.variable("liSum__")!.offset
        return etrig(p, { env, f in
            let file = fd(f[handle])
            guard let bytes = bytes(env, at: f[buffer], size: f[size]) else { return { FileResult(error: wrongParameter) } }
            f[sum] = checksum(bytes)
            return {
                guard let file else { return FileResult(error: handleError) }
                let written = bytes.withUnsafeBytes { Glibc.write(file, $0.baseAddress, $0.count) }
                if written < 0 { return FileResult(error: error(errno)) }
                return FileResult(error: written == bytes.count ? noError : writeIncomplete)
            }
        }, unchanged: { env, f in
            bytes(env, at: f[buffer], size: f[size]).map(checksum) == f[sum]
        })
    }

    static func read(_ p: POUInfo) -> NativeStep {
        let handle = p.variable("hFile")!.offset, buffer = p.variable("pBuffer")!.offset
        let capacity = p.variable("szBuffer")!.offset, size = p.variable("szSize")!.offset
        return etrig(p, { _, f in
            let file = fd(f[handle]), count = Int(max(f[capacity], 0)), target = f[buffer]
            return {
                guard let file else { return FileResult(error: handleError) }
                guard Pointer.slot(target) != nil else { return FileResult(error: wrongParameter) }
                var bytes = [UInt8](repeating: 0, count: count)
                let n = bytes.withUnsafeMutableBytes { Glibc.read(file, $0.baseAddress, $0.count) }
                if n < 0 { return FileResult(error: error(errno)) }
                return FileResult(number: target, bytes: Array(bytes.prefix(n)))
            }
        }, apply: { env, f, result in
            guard let slot = Pointer.slot(result.number) else { return }
            if Pointer.isString(result.number) {
                env.strings.items[Int(slot.pointee)] = String(decoding: result.bytes, as: UTF8.self)
            } else {
                for (i, b) in result.bytes.enumerated() { slot[i] = Int64(b) }
            }
            f[size] = Int64(result.bytes.count)
        })
    }

    static func getSize(_ p: POUInfo) -> NativeStep {
        let name = p.variable("sFileName")!.offset, size = p.variable("szSize")!.offset
        return etrig(p, { env, f in
            let file = path(env, f, name)
            return {
                var info = stat()
                guard stat(file, &info) == 0 else { return FileResult(error: error(errno)) }
                return FileResult(number: Int64(info.st_size))
            }
        }, apply: { _, f, result in f[size] = result.number })
    }

    static func dirCreate(_ p: POUInfo) -> NativeStep {
        let name = p.variable("sDirName")!.offset, parents = p.variable("xParent")!.offset
        return etrig(p) { env, f in
            let target = path(env, f, name), withParents = f[parents] != 0
            return {
                if withParents {
                    let ok = (try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)) != nil
                    return FileResult(error: ok ? noError : unknown)
                }
                return FileResult(error: mkdir(target, 0o755) == 0 ? noError : error(errno))
            }
        }
    }
}

/// A fault the CAA File stand-ins play instead of doing the I/O (a test's fault script), by block
/// (`WRITE`, `OPEN`, `FLUSH`, ...): jobs started while it is set fail with a `FILE.ERROR` value
/// (`fail(5111)`: WRITE_INCOMPLETE, a full disk), or a running job stays busy while it is set
/// (`busy`: a handle the file system holds, a slow card).
public enum STFileFault: Sendable, Equatable {
    case fail(Int64)
    case busy
}

/// The outcome of one file job: its error, a number (handle, size or buffer address) and bytes read.
struct FileResult: Sendable {
    var error: Int64 = FileStandIns.noError
    var number: Int64 = 0
    var bytes: [UInt8] = []
}

/// The file jobs of one machine: run in order on one background queue, so a scan never waits for a
/// disk; results are picked up by ticket.
final class FileJobs: @unchecked Sendable {
    private let queue = DispatchQueue(label: "PLCStructuredText.CAAFile")
    private let lock = ThreadLock()
    private var results: [Int64: FileResult] = [:]
    private var next: Int64 = 1

    /// Queues `job`; its ticket (never 0).
    func submit(_ job: @escaping FileStandIns.Job) -> Int64 {
        lock.lock()
        let ticket = next
        next += 1
        lock.unlock()
        queue.async { [self] in
            let result = job()
            lock.lock()
            results[ticket] = result
            lock.unlock()
        }
        return ticket
    }

    /// Waits until every job queued so far has run (tests that count scans per job).
    func waitUntilIdle() {
        queue.sync {}
    }

    /// The result of `ticket` once its job has run (then forgotten).
    func take(_ ticket: Int64) -> FileResult? {
        lock.lock()
        defer { lock.unlock() }
        return results.removeValue(forKey: ticket)
    }
}
