import Glibc

/// An advisory `flock` that keeps a second `plc run` off a serial port or a CSV folder, and the
/// name of the process that holds it when the lock is taken already.
public enum ExclusiveLock {
    /// Locks the open file `fd` exclusively without waiting. Returns nil when the lock is ours,
    /// or who holds it (`process 1234 (plc)`, or `another process` when /proc does not say).
    public static func take(_ fd: Int32) -> String? {
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            // Locks not supported here (some network file systems): nothing to guard with.
            guard errno == EWOULDBLOCK else { return nil }
            return holder(of: fd).map { "process \($0)" } ?? "another process"
        }
        return nil
    }

    /// The pid and command name of the process holding a `flock` on the file open as `fd`, from /proc/locks.
    static func holder(of fd: Int32) -> String? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        let dev = UInt64(info.st_dev)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        let wanted = String(major, radix: 16) + ":" + String(minor, radix: 16) + ":" + String(info.st_ino)
        let me = getpid()
        for line in FileBytes.text("/proc/locks").split(separator: "\n") where line.contains("FLOCK") && !line.contains("->") {
            let fields = line.split(separator: " ")
            // "1: FLOCK  ADVISORY  WRITE 1234 00:19:5 0 EOF"; leading zeros in the device numbers.
            guard fields.count >= 6, let pid = Int32(fields[4]), pid != me else { continue }
            let id = fields[5].split(separator: ":")
            guard id.count == 3, let maj = UInt64(id[0], radix: 16), let min = UInt64(id[1], radix: 16),
                  String(maj, radix: 16) + ":" + String(min, radix: 16) + ":" + id[2] == wanted else { continue }
            let command = FileBytes.text("/proc/\(pid)/comm").split(separator: "\n").first.map { " (\($0))" } ?? ""
            return "\(pid)\(command)"
        }
        return nil
    }
}
