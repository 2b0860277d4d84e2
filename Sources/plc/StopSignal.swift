import Dispatch
import Glibc
import Synchronization

/// Turns SIGINT and SIGTERM into a flag the scan loop checks, so shutdown happens between scans.
final class StopSignal {
    /// The flag the signal handlers set; shared with the dispatch queue that runs them.
    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    private let flag = Flag()
    private var sources: [any DispatchSourceSignal] = []

    /// Starts watching; `onStop` (if any) runs on the signal queue when the first stop signal arrives.
    init(onStop: (@Sendable () -> Void)? = nil) {
        // A long-running command must outlive a closed stdout (a pipe to head, a dead journal):
        // writes then fail with EPIPE, which Console ignores, instead of the process being killed.
        signal(SIGPIPE, SIG_IGN)
        let queue = DispatchQueue(label: "plc.signals")
        for signo in [SIGINT, SIGTERM] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: queue)
            source.setEventHandler { [flag] in
                flag.value.store(true, ordering: .releasing)
                onStop?()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// True once a stop signal arrived.
    var isSet: Bool { flag.value.load(ordering: .acquiring) }
}
