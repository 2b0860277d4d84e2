import Glibc

/// `plc run --lock-memory`: locks every page of the process in RAM (mlockall), now and as it grows,
/// so a scan never waits for code or data to come back from disk, as OpenPLC and Codesys runtimes do.
enum LockMemory {
    /// Locks the process's memory, or fails with one line saying why and what to change.
    static func lock() throws {
        guard mlockall(Int32(MCL_CURRENT | MCL_FUTURE)) != 0 else { return }
        let why = String(cString: strerror(errno))
        throw fail("--lock-memory: mlockall: \(why) (needs CAP_IPC_LOCK, or LimitMEMLOCK=infinity in the systemd unit)")
    }
}

/// The address-space limit (`ulimit -v`, systemd's `LimitAS=`): below what a run maps at start (its
/// libraries, thread stacks and heap arenas), the Swift runtime would die on a failed allocation
/// with SIGILL somewhere in start-up; a run refuses at once with one line instead.
enum AddressSpace {
    /// What `plc run` needs at least, in KiB (a release build ran rx380_main down to about 55 MB).
    static let minimumKiB: UInt64 = 65_536

    /// Fails with one line when the soft limit is below `minimumKiB`.
    static func check() throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return }
        let kib = UInt64(limit.rlim_cur) / 1024
        guard kib < minimumKiB else { return }
        throw fail("plc run: the address-space limit is \(kib) kB (ulimit -v); a run needs at least \(minimumKiB) kB "
                   + "for its libraries, threads and buffers: raise it (ulimit -v \(minimumKiB), or LimitAS= in the unit)")
    }
}
