import Foundation

/// What the CAA File stand-ins do, over POSIX: the CBM.ETrig behaviour (a rising xExecute starts the
/// job, xBusy for one call, the job runs in the next call whatever xExecute is then, and xDone or
/// xError is held while xExecute stays TRUE, or shown for one call if it already fell), with files
/// relative to the machine's `fileRoot`. Handles are file descriptors plus one (0 is no handle).
enum FileStandIns {
    // FILE.ERROR values (see StandIns.caaFile).
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

    /// A job: reads its inputs from the frame, does the work, writes its outputs; returns the error.
    typealias Job = @Sendable (Env, UnsafeMutablePointer<Int64>) -> Int64

    /// The ETrig wrapper around `job` for the block `p`.
    static func etrig(_ p: POUInfo, _ job: @escaping Job) -> NativeStep {
        func at(_ name: String) -> Int { p.variable(name)!.offset }
        let xExecute = at("xExecute"), xDone = at("xDone"), xBusy = at("xBusy"), xError = at("xError")
        let eError = at("eError"), previous = at("xPrevExecute__"), shown = at("xShown__"), pending = at("xPending__")
        return NativeStep { env in
            let f = env.f
            let execute = f[xExecute] != 0
            if f[shown] != 0 && !execute {
                f[xDone] = 0
                f[xError] = 0
                f[shown] = 0
            }
            if f[pending] != 0 {
                let e = env.fileRoot == nil ? notImplemented : job(env, f)
                f[pending] = 0
                f[xBusy] = 0
                f[xDone] = e == noError ? 1 : 0
                f[xError] = e == noError ? 0 : 1
                f[eError] = e
                f[shown] = 1
            } else if execute && f[previous] == 0 && f[xBusy] == 0 {
                f[xDone] = 0
                f[xError] = 0
                f[eError] = 0
                f[shown] = 0
                f[xBusy] = 1
                f[pending] = 1
            }
            f[previous] = execute ? 1 : 0
        }
    }

    static func path(_ env: Env, _ name: String) -> String {
        name.hasPrefix("/") ? name : (env.fileRoot! as NSString).appendingPathComponent(name)
    }

    static func string(_ env: Env, _ f: UnsafeMutablePointer<Int64>, _ offset: Int) -> String {
        env.strings.items[Int(f[offset])]
    }

    static func open(_ p: POUInfo) -> NativeStep {
        let name = p.variable("sFileName")!.offset, mode = p.variable("eFileMode")!.offset
        let handle = p.variable("hFile")!.offset
        return etrig(p) { env, f in
            let flags: Int32
            switch f[mode] {
            case 0: flags = O_WRONLY | O_CREAT | O_TRUNC
            case 1: flags = O_RDONLY
            case 2: flags = O_RDWR | O_CREAT
            case 3: flags = O_WRONLY | O_CREAT | O_APPEND
            default: flags = O_RDWR | O_CREAT | O_APPEND
            }
            let fd = Foundation.open(path(env, string(env, f, name)), flags, 0o644)
            guard fd >= 0 else { return error(errno) }
            f[handle] = Int64(fd) + 1
            return noError
        }
    }

    static func close(_ p: POUInfo) -> NativeStep {
        let handle = p.variable("hFile")!.offset
        return etrig(p) { _, f in
            guard f[handle] > 0 else { return handleError }
            return Foundation.close(Int32(f[handle] - 1)) == 0 ? noError : error(errno)
        }
    }

    static func flush(_ p: POUInfo) -> NativeStep {
        let handle = p.variable("hFile")!.offset
        return etrig(p) { _, f in
            guard f[handle] > 0 else { return handleError }
            return fsync(Int32(f[handle] - 1)) == 0 ? noError : error(errno)
        }
    }

    static func write(_ p: POUInfo) -> NativeStep {
        let handle = p.variable("hFile")!.offset, buffer = p.variable("pBuffer")!.offset
        let size = p.variable("szSize")!.offset
        return etrig(p) { env, f in
            guard f[handle] > 0 else { return handleError }
            guard let slot = Pointer.slot(f[buffer]), f[size] >= 0 else { return wrongParameter }
            var bytes: [UInt8]
            if Pointer.isString(f[buffer]) {
                bytes = Array(env.strings.items[Int(slot.pointee)].utf8.prefix(Int(f[size])))
            } else {
                bytes = (0..<Int(f[size])).map { UInt8(truncatingIfNeeded: slot[$0]) }
            }
            let written = bytes.withUnsafeBytes { Foundation.write(Int32(f[handle] - 1), $0.baseAddress, $0.count) }
            if written < 0 { return error(errno) }
            return written == bytes.count ? noError : writeIncomplete
        }
    }

    static func read(_ p: POUInfo) -> NativeStep {
        let handle = p.variable("hFile")!.offset, buffer = p.variable("pBuffer")!.offset
        let capacity = p.variable("szBuffer")!.offset, size = p.variable("szSize")!.offset
        return etrig(p) { env, f in
            guard f[handle] > 0 else { return handleError }
            guard let slot = Pointer.slot(f[buffer]), f[capacity] >= 0 else { return wrongParameter }
            var bytes = [UInt8](repeating: 0, count: Int(f[capacity]))
            let count = bytes.withUnsafeMutableBytes { Foundation.read(Int32(f[handle] - 1), $0.baseAddress, $0.count) }
            if count < 0 { return error(errno) }
            if Pointer.isString(f[buffer]) {
                env.strings.items[Int(slot.pointee)] = String(decoding: bytes.prefix(count), as: UTF8.self)
            } else {
                for i in 0..<count { slot[i] = Int64(bytes[i]) }
            }
            f[size] = Int64(count)
            return noError
        }
    }

    static func getSize(_ p: POUInfo) -> NativeStep {
        let name = p.variable("sFileName")!.offset, size = p.variable("szSize")!.offset
        return etrig(p) { env, f in
            var info = stat()
            guard stat(path(env, string(env, f, name)), &info) == 0 else { return error(errno) }
            f[size] = Int64(info.st_size)
            return noError
        }
    }

    static func dirCreate(_ p: POUInfo) -> NativeStep {
        let name = p.variable("sDirName")!.offset, parents = p.variable("xParent")!.offset
        return etrig(p) { env, f in
            let target = path(env, string(env, f, name))
            if f[parents] != 0 {
                do {
                    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
                    return noError
                } catch {
                    return unknown
                }
            }
            return mkdir(target, 0o755) == 0 ? noError : FileStandIns.error(errno)
        }
    }
}
