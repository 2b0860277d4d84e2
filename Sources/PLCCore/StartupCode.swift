import Glibc

/// The executable's machine code that only start-up ran (argument parsing, YAML, the compiler,
/// the simulator's set-up), released from this process's resident memory once the program runs.
///
/// `release()` drops the process's mappings of its own code pages with `madvise(MADV_DONTNEED)`:
/// the pages stay in the page cache, and code that runs again maps back in on its next call (a
/// minor fault, no disk read). Only the executable's code and the read-only segment mapped before
/// it are touched: neither is ever written, so nothing is lost; data, relocated tables (RELRO) and
/// libraries are left alone.
public enum StartupCode {
    /// Releases the executable's code and read-only constant mappings; returns how many bytes they
    /// span (0 when /proc cannot be read).
    @discardableResult
    public static func release() -> Int {
        guard let exe = realpath("/proc/self/exe", nil) else { return 0 }
        let path = String(cString: exe)
        free(exe)
        // "5627d7542000-5627d8dac000 r-xp 00001000 fe:00 1234   /usr/bin/plc": range, mode, file offset.
        let mappings = FileBytes.text("/proc/self/maps").split(separator: "\n").compactMap { line -> (UInt, UInt, String, UInt)? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5...].joined(separator: " ") == path else { return nil }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), end > start,
                  let offset = UInt(fields[2], radix: 16) else { return nil }
            return (start, end, String(fields[1]), offset)
        }
        // The code, and the read-only segment before it (ELF headers, symbol tables, constants),
        // which is mapped read-only from the start. Not the read-only segment after the code: that
        // one (RELRO) was written by the loader's relocations.
        guard let code = mappings.first(where: { $0.2 == "r-xp" })?.3 else { return 0 }
        var released = 0
        for (start, end, mode, offset) in mappings where mode == "r-xp" || (mode == "r--p" && offset < code) {
            guard let address = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            if madvise(address, Int(end - start), MADV_DONTNEED) == 0 { released += Int(end - start) }
        }
        return released
    }
}
