import Glibc

/// A detached POSIX thread running one closure: the runtime's threads without Foundation's `Thread`.
public enum DetachedThread {
    /// Starts `body` on a new thread named `name` (the kernel keeps 15 bytes of it) with a stack of
    /// `stackSize` bytes (0: the system default). False when the system refuses a new thread.
    @discardableResult
    public static func start(name: String, stackSize: Int = 0, _ body: @escaping @Sendable () -> Void) -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if stackSize > 0 { pthread_attr_setstacksize(&attributes, stackSize) }
        let start = Unmanaged.passRetained(ThreadStart(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        guard pthread_create(&thread, &attributes, threadEntry, start) == 0 else {
            Unmanaged<ThreadStart>.fromOpaque(start).release()
            return false
        }
        return true
    }
}

/// What a new thread runs, handed over through pthread's one pointer argument.
private final class ThreadStart {
    let name: String
    let body: @Sendable () -> Void

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }

    /// Names the calling thread in /proc (what `top -H` and `ps -L` show); Glibc's module does not
    /// export pthread_setname_np.
    func nameThread() {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = write(fd, bytes, bytes.count)
        close(fd)
    }
}

/// The C entry point of every `DetachedThread`.
private func threadEntry(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let start = Unmanaged<ThreadStart>.fromOpaque(argument!).takeRetainedValue()
    start.nameThread()
    start.body()
    return nil
}
