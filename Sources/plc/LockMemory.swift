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
