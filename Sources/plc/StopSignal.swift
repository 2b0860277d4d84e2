import Glibc
import PLCCore
import Synchronization

/// What the signal handler touches: only atomics and a pipe's write end (async-signal-safe).
private let signalStop = Atomic<Bool>(false)
private let signalHangUps = Atomic<Int>(0)
private let signalPipe = Atomic<Int32>(-1)
/// True when SIGUSR2 asks for an online change (`plc run`) instead of a stop.
private let signalReloads = Atomic<Bool>(false)

/// The handler of every watched signal: sets the flag (or counts the SIGHUP) and wakes the
/// signal thread. It allocates nothing and creates nothing, so it works under a tight `ulimit -v`.
private func onSignal(_ signo: Int32) {
    if signo == SIGHUP {
        signalHangUps.add(1, ordering: .relaxed)
    } else if signo == SIGUSR2 && signalReloads.load(ordering: .relaxed) {
        // An online change: the signal thread runs it.
    } else {
        signalStop.store(true, ordering: .releasing)
    }
    var byte = UInt8(truncatingIfNeeded: signo)
    let saved = errno
    _ = write(signalPipe.load(ordering: .acquiring), &byte, 1)
    errno = saved
}

/// Turns the signals that would kill the process into a clean stop between scans, and SIGHUP into
/// a reopen of the log files (what logrotate's `postrotate` sends) that keeps the program running.
///
/// The handlers only set atomics and write a byte to a pipe; the callbacks run on a thread made at
/// start-up. Nothing is allocated or created when a signal arrives (issue 26: with dispatch signal
/// sources, a stop under `ulimit -v` needed a new thread and was lost).
final class StopSignal {
    /// Signals whose default action ends the process: each one stops it cleanly instead (pending
    /// rows written, the shutdown line logged). SIGKILL and SIGSTOP cannot be caught.
    static let stopping: [Int32] = [SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGPWR,
                                    SIGXCPU]

    /// Starts watching; `onStop` (if any) runs on the signal thread when the first stop signal
    /// arrives, `onHangUp` at every SIGHUP. With `onReload`, SIGUSR2 no longer stops: it runs
    /// `onReload` (an online change) on a thread of its own, so a stop signal is still seen meanwhile.
    init(onStop: (@Sendable () -> Void)? = nil, onHangUp: (@Sendable () -> Void)? = nil,
         onReload: (@Sendable () -> Void)? = nil) {
        if onReload != nil { signalReloads.store(true, ordering: .relaxed) }
        // A long-running command must outlive a closed stdout (a pipe to head, a dead journal):
        // writes then fail with EPIPE, which Console ignores, instead of the process being killed.
        signal(SIGPIPE, SIG_IGN)
        // A file over the size limit: the write fails with EFBIG and is reported like a full disk.
        signal(SIGXFSZ, SIG_IGN)
        var fds: [Int32] = [-1, -1]
        if signalPipe.load(ordering: .acquiring) < 0, pipe(&fds) == 0 {
            // The read end blocks (the thread waits on it); the write end never does.
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
            signalPipe.store(fds[1], ordering: .releasing)
            let reader = fds[0]
            _ = DetachedThread.start(name: "plc-signals", stackSize: 64 << 10) {
                var byte: UInt8 = 0
                var stopped = false
                while true {
                    let n = read(reader, &byte, 1)
                    if n < 0 && errno == EINTR { continue }
                    guard n == 1 else { return }
                    if Int32(byte) == SIGHUP {
                        onHangUp?()
                    } else if Int32(byte) == SIGUSR2, let onReload {
                        _ = DetachedThread.start(name: "plc-reload") { onReload() }
                    } else if !stopped {
                        stopped = true
                        onStop?()
                    }
                }
            }
        }
        // A parent may have left them blocked (a process started from a thread that blocks them
        // inherits its mask); the handler must see them.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signo in Self.stopping + [SIGHUP] { sigaddset(&unblock, signo) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for signo in Self.stopping + [SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = onSignal
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(signo, &action, nil)
        }
    }

    /// True once a stop signal arrived.
    var isSet: Bool { signalStop.load(ordering: .acquiring) }

    /// SIGHUPs received so far.
    var hangUps: Int { signalHangUps.load(ordering: .relaxed) }
}
