public import PLCCore
public import PLCGraph
public import PLCModbus
public import PLCRuntime
import FlyingFox
import FlyingSocks
import Foundation
import Synchronization

/// The read-only web dashboard of a running program: a FlyingFox server on its own tasks, fed by
/// snapshots the scan thread publishes between scans.
public final class Dashboard {
    /// Where the server listens.
    public let address: ListenAddress
    /// The box between the scan and the server.
    public let box: SnapshotBox
    private let builder: SnapshotBuilder
    private let server: HTTPServer
    private let task: Task<Void, Never>

    /// Starts serving `program` on `listen` and returns once the socket listens; a bind failure
    /// (address in use, no such address) is a one-line error naming `HttpListen`.
    /// `heatmap` draws the Energy page's heatmap from the locations' CSV sources (PLCReport's hook).
    public init(listen: ListenAddress, program: CompiledProgram, task settings: ProgramFile.Task, workers: [BusWorker],
                box: SnapshotBox = SnapshotBox(), heatmap: (@Sendable ([EnergySource]) -> String?)? = nil) throws(SourceError) {
        address = listen
        self.box = box
        builder = SnapshotBuilder(program: program, task: settings, workers: workers)
        let handler = DashboardHandler(box: box, energy: EnergyReader(), heatmap: heatmap)
        let socket: any SocketAddress
        do {
            socket = listen.isIPv6 ? try sockaddr_in6.inet6(ip6: listen.host, port: listen.port)
                                   : try sockaddr_in.inet(ip4: listen.host, port: listen.port)
        } catch {
            throw SourceError(file: "HttpListen \(listen)", line: nil, "not an address this machine can listen on")
        }
        let server = HTTPServer(address: socket, timeout: 15, logger: .disabled, handler: handler)
        self.server = server
        let failure = Mutex<String?>(nil)
        task = Task {
            do {
                try await server.run()
            } catch let SocketError.failed(type, _, message) {
                failure.withLock { $0 = "\(type.lowercased()): \(message)" }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        let listening = Self.blocking { () async -> Bool in
            let deadline = MonotonicTime.nanoseconds() + 5_000_000_000
            while MonotonicTime.nanoseconds() < deadline {
                if await server.isListening { return true }
                if failure.withLock({ $0 }) != nil { return false }
                try? await Task.sleep(nanoseconds: 5_000_000)
            }
            return false
        }
        guard listening else {
            task.cancel()
            let why = failure.withLock { $0 } ?? "the server did not start within 5 s"
            throw SourceError(file: "HttpListen \(listen)", line: nil, "cannot listen: \(why)")
        }
    }

    /// The port the server listens on (the real one when `HttpListen` asked for port 0).
    public var port: Int {
        let server = self.server
        let bound = Self.blocking { () async -> Int? in
            switch await server.listeningAddress {
            case .ip4(_, let port), .ip6(_, let port): Int(port)
            default: nil
            }
        }
        return bound ?? Int(address.port)
    }

    /// Scan thread, after a scan: publishes a snapshot when a client is watching and the last one is
    /// old enough. `statistics` is only read then.
    public func afterScan(_ statistics: @autoclosure () -> CycleStatistics) {
        guard box.wantsSnapshot(now: MonotonicTime.nanoseconds()) else { return }
        box.publish(builder.build(statistics: statistics()))
    }

    /// Stops the server: closes the socket and ends open connections.
    public func stop() {
        let server = self.server
        Self.blocking { await server.stop(timeout: 1) }
        task.cancel()
    }

    /// Runs `work` on the concurrency pool and waits for it on this (non-pool) thread.
    @discardableResult
    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await work()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }!
    }
}
