import PLCGraph
import PLCHttp
import PLCModbus

extension Run {
    /// Starts the web dashboard when the program's `HttpListen` tunable is not empty; nil otherwise.
    func startDashboard(_ program: CompiledProgram, file: ProgramFile, io: ModbusIO) throws -> Dashboard? {
        guard let text = program.value(of: "HttpListen")?.string, !text.isEmpty else { return nil }
        do {
            let listen = try ListenAddress(text)
            let dashboard = try Dashboard(listen: listen, program: program, task: file.task, workers: Array(io.workers.values))
            let host = listen.isIPv6 ? "[\(listen.host)]" : listen.host
            note("\(file.name): dashboard on http://\(host):\(dashboard.port)/ (metrics on /metrics)")
            return dashboard
        } catch {
            throw fail(error)
        }
    }
}
