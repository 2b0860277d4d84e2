import Foundation
import Testing

/// The defects an adversarial pass found in the running logger (issue 16), each pinned end to end.
@Suite("hardening: late replies, signals, second instances, shutdown", .serialized)
struct HardeningTests {
    typealias Workspace = RX380MainTests.Workspace

    /// Two readers on one bus: 4000-4009 and 4100-4109, whose images differ word by word.
    static let twoBlocks: [Int: UInt16] = {
        var image: [Int: UInt16] = [:]
        for i in 0..<10 {
            image[4000 + i] = UInt16(1000 + i)
            image[4100 + i] = UInt16(2000 + i)
        }
        return image
    }()

    static func twoReaders(bus: String) -> String {
        """
        program: tworeaders
        task: {interval: T#20ms}
        buses:
          meter: \(bus)
        blocks:
          - name: poll
            type: TON
            inputs: {IN: {from: NOT poll.Q, feedback: true}, PT: T#100ms}
          - name: readA
            type: ModbusRead
            inputs: {xExecute: poll.Q, uiStartItem: 4000, uiQuantity: 10}
          - name: readB
            type: ModbusRead
            inputs: {xExecute: poll.Q, uiStartItem: 4100, uiQuantity: 10}
          - name: a0
            type: Scale
            inputs: {wReg0: 'readA.awData[0]', eFormat: UINT16, eOrder: ABCD, lrFactor: 1.0}
          - name: b0
            type: Scale
            inputs: {wReg0: 'readB.awData[0]', eFormat: UINT16, eOrder: ABCD, lrFactor: 1.0}

        """
    }

    /// Monitor rows `cycle,t_ms,A.xValid,A's first word,B.xValid,B's first word` that show valid data of the wrong block.
    static func wrongData(_ lines: [String]) -> [String] {
        lines.filter { line in
            let f = line.split(separator: ",")
            guard f.count == 6 else { return false }
            return (f[2] == "TRUE" && f[3] != "1000.0") || (f[4] == "TRUE" && f[5] != "2000.0")
        }
    }

    static let monitor = "readA.xValid,a0.lrValue,readB.xValid,b0.lrValue"

    @Test("RTU: a reply that comes after the timeout is never taken for the next request's data (defect 2)")
    func rtuLateReply() throws {
        let line = try SerialLine()
        let peer = try ModbusPeer(rtu: line.b, image: Self.twoBlocks)
        defer { peer.stop() }
        // A reply 100 ms late, and 200 ms of slack for a Python peer on a loaded machine before the
        // quiet-line wait (one response timeout) is over; without the wait the next request reads it.
        let dir = try PLCCommand.programFolder(Self.twoReaders(bus: "{device: \(line.a), baud: 19200, parity: N, responseTimeout: T#300ms}"))
        let plc = try BackgroundProcess(PLCCommand.executable.path, ["run", dir, "--monitor", Self.monitor])
        #expect(plc.waitForLine(timeout: 15) { $0.hasSuffix(",TRUE,1000.0,TRUE,2000.0") } != nil, "never read good data")
        peer.command("hold 400")                      // answers 100 ms after the client gave up
        Thread.sleep(forTimeInterval: 3)
        peer.command("normal")
        let back = plc.output.count
        #expect(plc.waitForLine(from: back, timeout: 10) { $0.hasSuffix(",TRUE,1000.0,TRUE,2000.0") } != nil,
                "no recovery: \(plc.output.suffix(3))")
        #expect(plc.stop(signal: SIGTERM) == 0)
        let wrong = Self.wrongData(plc.output)
        #expect(wrong.count == 0, "valid data from the wrong request, e.g. \(wrong.first ?? "")")
    }

    @Test("TCP: after a late reply the connection is resynchronised and good replies are used again (defect 1)")
    func tcpLateReply() throws {
        let port = freePort()
        let peer = try ModbusPeer(tcp: port, image: Self.twoBlocks)
        defer { peer.stop() }
        let dir = try PLCCommand.programFolder(Self.twoReaders(
            bus: "{kind: tcp, host: 127.0.0.1, port: \(port), responseTimeout: T#150ms, reconnectMin: T#50ms}"))
        let plc = try BackgroundProcess(PLCCommand.executable.path, ["run", dir, "--monitor", Self.monitor])
        #expect(plc.waitForLine(timeout: 15) { $0.hasSuffix(",TRUE,1000.0,TRUE,2000.0") } != nil, "never read good data")
        peer.command("hold 220")
        Thread.sleep(forTimeInterval: 2)
        peer.command("normal")
        let back = plc.output.count
        #expect(plc.waitForLine(from: back, timeout: 10) { $0.hasSuffix(",TRUE,1000.0,TRUE,2000.0") } != nil,
                "no recovery after the late replies: \(plc.output.suffix(3))")
        #expect(plc.stop(signal: SIGTERM) == 0)
        #expect(Self.wrongData(plc.output).count == 0)
    }

    @Test("SIGHUP keeps the logger running and the log is reopened; SIGUSR1 stops it cleanly (defect 3)")
    func signals() throws {
        let ws = try Workspace()
        let plc = try RX380MainTests.start(ws, ["--simulate"])
        Thread.sleep(forTimeInterval: 1.5)
        // logrotate: the log is moved away, then SIGHUP; the next lines go to a new file by the old name.
        try FileManager.default.moveItem(atPath: ws.log, toPath: ws.log + ".1")
        kill(plc.process.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 1)
        #expect(plc.process.isRunning, "SIGHUP killed the process")
        #expect(plc.stop(signal: SIGUSR1) == 0, "\(plc.errorOutput.suffix(3))")
        #expect(plc.errorOutput.contains { $0.contains("SIGHUP") })
        #expect(ws.logLines().last?.hasSuffix(" - INFO - rx380_main stopped") == true, "\(ws.logLines())")
    }

    /// A second `plc run programs/rx380_main` with `arguments`: its exit status (nil when it was
    /// still running after 8 s and had to be stopped) and its standard error.
    static func second(_ arguments: [String]) throws -> (status: Int32?, stderr: String) {
        let plc = try BackgroundProcess(PLCCommand.executable.path,
                                        ["run", PLCCommand.root.appendingPathComponent("programs/rx380_main").path] + arguments)
        let deadline = Date().addingTimeInterval(8)
        while plc.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let status = plc.process.isRunning ? nil : plc.process.terminationStatus
        plc.stop(signal: SIGTERM)
        Thread.sleep(forTimeInterval: 0.1)
        return (status, plc.errorOutput.joined(separator: "\n"))
    }

    @Test("a second plc run on the same serial port exits 2 naming the holder (defect 4)")
    func secondOnPort() throws {
        let line = try SerialLine()
        let peer = try ModbusPeer(rtu: line.b, image: MeterImage.registers)
        defer { peer.stop() }
        let ws1 = try Workspace(), ws2 = try Workspace()
        let first = try RX380MainTests.start(ws1, RX380MainTests.rtuArguments(line))
        Thread.sleep(forTimeInterval: 1.5)
        let second = try Self.second(["--set", "CsvFolder=\(ws2.csv)", "--set", "ErrorLogFile=\(ws2.log)"]
                                     + RX380MainTests.rtuArguments(line))
        #expect(second.status == 2, "\(second.stderr)")
        #expect(second.stderr.contains("is in use by process \(first.process.processIdentifier)"), "\(second.stderr)")
        #expect(first.stop(signal: SIGTERM) == 0)
    }

    @Test("a second plc run on the same CSV folder exits 2 naming the holder (defect 4)")
    func secondOnFolder() throws {
        let ws = try Workspace()
        let first = try RX380MainTests.start(ws, ["--simulate"])
        Thread.sleep(forTimeInterval: 2)
        let other = ws.dir.appendingPathComponent("other.log").path
        let second = try Self.second(["--simulate", "--set", "CsvFolder=\(ws.csv)", "--set", "ErrorLogFile=\(other)",
                                      "--set", "LogInterval=T#1s"])
        #expect(second.status == 2, "\(second.stderr)")
        #expect(second.stderr.contains("CSV folder \(ws.csv) is in use by process \(first.process.processIdentifier)"),
                "\(second.stderr)")
        #expect(first.stop(signal: SIGTERM) == 0)
        // Every second has one row, never two.
        let stamps = ws.rows().map { $0.prefix(19) }
        #expect(Set(stamps).count == stamps.count, "rows written twice: \(ws.rows())")
    }

    @Test("rows that cannot be written at SIGTERM are counted in the stopped line (defect 7)")
    func unwrittenAtStop() throws {
        let ws = try Workspace()
        let plc = try RX380MainTests.start(ws, ["--simulate"])
        Thread.sleep(forTimeInterval: 1.6)
        try FileManager.default.removeItem(atPath: ws.csv)      // the USB stick is pulled for good
        Thread.sleep(forTimeInterval: 2.5)
        #expect(plc.stop(signal: SIGTERM) == 0)
        let stopped = ws.logLines().last ?? ""
        #expect(stopped.contains(" - INFO - rx380_main stopped ("), "\(ws.logLines())")
        #expect(stopped.contains("queued CSV rows could not be written: Cannot write \(ws.csv): the folder is missing"),
                "\(stopped)")
    }

    @Test("a stop does not wait for a long response timeout (defect 12)")
    func boundedStop() throws {
        let port = freePort()
        let peer = try ModbusPeer(tcp: port, image: Self.twoBlocks)
        defer { peer.stop() }
        let dir = try PLCCommand.programFolder(Self.twoReaders(
            bus: "{kind: tcp, host: 127.0.0.1, port: \(port), responseTimeout: T#60s}"))
        let plc = try BackgroundProcess(PLCCommand.executable.path, ["run", dir, "--monitor", Self.monitor])
        #expect(plc.waitForLine(timeout: 15) { $0.hasSuffix(",TRUE,1000.0,TRUE,2000.0") } != nil, "never read good data")
        peer.command("hold 30000")
        Thread.sleep(forTimeInterval: 1)
        // Well inside systemd's 30 s: killed (nil) if it is still waiting for the reply after 10 s.
        #expect(plc.stop(signal: SIGTERM, timeout: 10) == 0)
    }

    @Test("LogInterval=T#0s or a negative interval is rejected by plc check and plc run (defect 9)",
          arguments: ["T#0s", "T#-5m"])
    func zeroInterval(value: String) throws {
        for command in ["check", "run"] {
            let result = try PLCCommand.run([command, "programs/rx380_main", "--set", "LogInterval=\(value)", "--set",
                                             "bus.device=/dev/ttyNOPE9", "--cycles", "1"].filter { command == "run" || $0 != "--cycles" && $0 != "1" })
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("logPulse.tInterval: LogInterval is T#"), "\(command): \(result.stderr)")
        }
    }

    @Test("an empty bus.device is rejected at check time (defect 9)")
    func emptyDevice() throws {
        let result = try PLCCommand.run(["check", "programs/rx380_main", "--set", "bus.device="])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bus meter: device must not be empty"), "\(result.stderr)")
    }
}
