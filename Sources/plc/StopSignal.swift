import Dispatch
import Glibc
import Synchronization

/// Turns the signals that would kill the process into a clean stop between scans, and SIGHUP into
/// a reopen of the log files (what logrotate's `postrotate` sends) that keeps the program running.
final class StopSignal {
    /// The flag the signal handlers set; shared with the dispatch queue that runs them.
    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
        let hangUps = Atomic<Int>(0)
    }

    /// Signals whose default action ends the process: each one stops it cleanly instead (pending
    /// rows written, the shutdown line logged). SIGKILL and SIGSTOP cannot be caught.
    static let stopping: [Int32] = [SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGPWR,
                                    SIGXCPU]

    private let flag = Flag()
    private var sources: [any DispatchSourceSignal] = []

    /// Starts watching; `onStop` (if any) runs on the signal queue when the first stop signal
    /// arrives, `onHangUp` at every SIGHUP.
    init(onStop: (@Sendable () -> Void)? = nil, onHangUp: (@Sendable () -> Void)? = nil) {
        // A long-running command must outlive a closed stdout (a pipe to head, a dead journal):
        // writes then fail with EPIPE, which Console ignores, instead of the process being killed.
        signal(SIGPIPE, SIG_IGN)
        // A file over the size limit: the write fails with EFBIG and is reported like a full disk.
        signal(SIGXFSZ, SIG_IGN)
        let queue = DispatchQueue(label: "plc.signals")
        for signo in Self.stopping + [SIGHUP] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: queue)
            source.setEventHandler { [flag] in
                if signo == SIGHUP {
                    flag.hangUps.add(1, ordering: .relaxed)
                    onHangUp?()
                    return
                }
                flag.value.store(true, ordering: .releasing)
                onStop?()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// True once a stop signal arrived.
    var isSet: Bool { flag.value.load(ordering: .acquiring) }

    /// SIGHUPs received so far.
    var hangUps: Int { flag.hangUps.load(ordering: .relaxed) }
}
