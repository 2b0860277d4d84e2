import Foundation
import PLCMeters
import PLCModbus
import Testing

/// `plc run` with Modbus I/O against pymodbus, and `plc simulate` against mbpoll.
@Suite("Modbus in the running program", .serialized)
struct ModbusRuntimeTests {
    /// A program polling 4000-4045 every 200 ms on `bus` (a YAML flow mapping), with a second reader optional.
    static func poller(bus: String, second: Bool = false) -> String {
        var text = """
            program: poller
            task: {interval: T#20ms}
            buses:
              meter: \(bus)
            blocks:
              - name: poll
                type: TON
                inputs: {IN: {from: NOT poll.Q, feedback: true}, PT: T#200ms}
              - name: read
                type: ModbusRead
                inputs: {xExecute: poll.Q, uiStartItem: 4000, uiQuantity: 46}

            """
        if second {
            text += """
                  - name: readFreq
                    type: ModbusRead
                    inputs: {xExecute: poll.Q, usiFunction: 3, uiStartItem: 4019, uiQuantity: 1}

                """
        }
        return text
    }

    /// Starts `plc run` on `program` with a monitor of the reader's quality.
    static func run(_ program: String, monitor: String = "read.xValid,read.udiErrorID") throws -> BackgroundProcess {
        let dir = try PLCCommand.programFolder(program)
        return try BackgroundProcess(PLCCommand.executable.path, ["run", dir, "--monitor", monitor])
    }

    /// Checks that the scan went on through an outage and recovered once the peer came back.
    static func checkRecovery(_ plc: BackgroundProcess, restart: () throws -> ModbusPeer, peer: ModbusPeer,
                              outage: String) throws {
        #expect(plc.waitForLine(timeout: 15) { $0.hasSuffix(",TRUE,0") } != nil, "never read good data")
        peer.stop()
        let down = plc.output.count
        let failed = plc.waitForLine(from: down, timeout: 15) { $0.contains(",FALSE,") }
        #expect(failed?.hasSuffix(outage) == true, "after the peer died: \(failed ?? "no error seen")")
        let scansWhileDown = plc.output.count
        Thread.sleep(forTimeInterval: 1)
        #expect(plc.output.count > scansWhileDown + 20, "the scan must keep running while the peer is down")
        let again = try restart()
        defer { again.stop() }
        let up = plc.output.count
        #expect(plc.waitForLine(from: up, timeout: 20) { $0.hasSuffix(",TRUE,0") } != nil,
                "no recovery: \(plc.output.suffix(3)) \(plc.errorOutput.suffix(3))")
        #expect(plc.process.isRunning)
        #expect(plc.stop(signal: SIGTERM) == 0)
        #expect(plc.errorOutput.contains { $0.hasPrefix("scans ") })
    }

    @Test("RTU: the scan keeps running while the slave is gone, and values recover when it is back")
    func rtuRecovery() throws {
        let line = try SerialLine()
        let peer = try ModbusPeer(rtu: line.b, image: MeterImage.registers)
        let plc = try Self.run(Self.poller(bus: "{device: \(line.a), baud: 19200, parity: N, responseTimeout: T#150ms}"))
        try Self.checkRecovery(plc, restart: { try ModbusPeer(rtu: line.b, image: MeterImage.registers) }, peer: peer,
                               outage: ",FALSE,100")
    }

    @Test("TCP: the worker reconnects after the server is killed and restarted")
    func tcpRecovery() throws {
        let port = freePort()
        let peer = try ModbusPeer(tcp: port, image: MeterImage.registers)
        let plc = try Self.run(Self.poller(bus: "{kind: tcp, host: 127.0.0.1, port: \(port), responseTimeout: T#150ms, reconnectMin: T#100ms, reconnectMax: T#400ms}"))
        try Self.checkRecovery(plc, restart: { try ModbusPeer(tcp: port, image: MeterImage.registers) }, peer: peer,
                               outage: ",FALSE,105")
        #expect(plc.errorOutput.contains { $0.contains("bus meter up: connected to tcp 127.0.0.1:\(port)") })
    }

    @Test("two ModbusRead blocks on one RTU bus: their requests never overlap on the line")
    func noOverlap() throws {
        let line = try SerialLine()
        let peer = try ModbusPeer(rtu: line.b, image: MeterImage.registers)
        defer { peer.stop() }
        peer.command("hold 40")      // each request takes 40 ms at the slave: overlap would show
        let plc = try Self.run(Self.poller(bus: "{device: \(line.a), baud: 19200, parity: N}", second: true),
                               monitor: "read.xValid,readFreq.xValid")
        #expect(plc.waitForLine(timeout: 15) { $0.hasSuffix(",TRUE,TRUE") } != nil)
        Thread.sleep(forTimeInterval: 1.5)
        plc.stop()
        let requests = peer.requests.sorted { $0.start < $1.start }
        #expect(requests.count >= 8)
        #expect(Set(requests.map(\.address)) == [4000, 4019])
        for (earlier, later) in zip(requests, requests.dropFirst()) {
            #expect(later.start >= earlier.end, "request at \(later.address) started before the one at \(earlier.address) ended")
        }
    }

    /// The frozen simulator's registers 4000-4045 at `slave`, as mbpoll must read them: the rx380 model
    /// file's simulated meter at time 0.
    static func frozen(slave: Int) throws -> [Int: UInt16] {
        let model = try MeterModelLoader.load(PLCCommand.root.appendingPathComponent("meters/rx380.yaml").path)
        let words = try SimulatedMeter(model: model, slave: slave).read(function: 4, address: 4000, count: 46, seconds: 0).get()
        return Dictionary(uniqueKeysWithValues: words.enumerated().map { (4000 + $0.offset, $0.element) })
    }

    /// Parses mbpoll's `[4019]: 	0x1388` lines.
    static func mbpollValues(_ output: String) -> [Int: UInt16] {
        var values: [Int: UInt16] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("[") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let address = Int(parts[0].dropFirst().dropLast()) else { continue }
            let text = parts[1].trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("0x"), let v = UInt16(text.dropFirst(2), radix: 16) { values[address] = v }
        }
        return values
    }

    static func mbpoll(_ arguments: [String]) throws -> String {
        let process = try BackgroundProcess("/usr/bin/mbpoll", arguments)
        process.process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        return (process.output + process.errorOutput).joined(separator: "\n")
    }

    @Test("mbpoll reads the simulator over TCP: FC04 and FC03 give the map's values, outside it exception 02")
    func simulatorTCP() throws {
        let port = freePort()
        let sim = try BackgroundProcess(PLCCommand.executable.path,
                                        ["simulate", "rx380", "--tcp", "127.0.0.1:\(port)", "--frozen"])
        defer { sim.stop() }
        #expect(sim.waitForErrorLine { $0.contains("slave 1 on tcp 127.0.0.1:\(port)") } != nil)
        for type in ["3:hex", "4:hex"] {
            let out = try Self.mbpoll(["-m", "tcp", "-p", String(port), "-a", "1", "-t", type, "-r", "4000", "-c", "46",
                                       "-0", "-1", "127.0.0.1"])
            let values = Self.mbpollValues(out)
            #expect(values.count == 46, "\(out)")
            let frozen = try Self.frozen(slave: 1)
            for (address, value) in values { #expect(value == frozen[address], "register \(address)") }
        }
        let outside = try Self.mbpoll(["-m", "tcp", "-p", String(port), "-a", "1", "-t", "3", "-r", "4050", "-c", "2",
                                       "-0", "-1", "127.0.0.1"])
        #expect(outside.lowercased().contains("illegal data address"), "\(outside)")
    }

    @Test("mbpoll reads the simulator over RTU on a socat pty pair")
    func simulatorRTU() throws {
        let line = try SerialLine()
        let sim = try BackgroundProcess(PLCCommand.executable.path,
                                        ["simulate", "rx380", "--rtu", line.a, "--parity", "N", "--frozen", "--slave", "3"])
        defer { sim.stop() }
        #expect(sim.waitForErrorLine { $0.contains("slave 3 on \(line.a)") } != nil)
        Thread.sleep(forTimeInterval: 0.3)
        let out = try Self.mbpoll(["-m", "rtu", "-b", "19200", "-P", "none", "-a", "3", "-t", "3:hex", "-r", "4012",
                                   "-c", "8", "-0", "-1", line.b])
        let values = Self.mbpollValues(out)
        #expect(values.count == 8, "\(out)")
        let frozen = try Self.frozen(slave: 3)
        for (address, value) in values { #expect(value == frozen[address], "register \(address)") }
    }

    @Test("the simulator injects faults typed on its stdin")
    func simulatorFaults() throws {
        let port = freePort()
        let sim = try BackgroundProcess(PLCCommand.executable.path, ["simulate", "rx380", "--tcp", "127.0.0.1:\(port)"])
        defer { sim.stop() }
        #expect(sim.waitForErrorLine { $0.contains("on tcp") } != nil)
        sim.send("exception 6")
        #expect(sim.waitForErrorLine { $0.contains("fault exception 6") } != nil)
        let busy = try Self.mbpoll(["-m", "tcp", "-p", String(port), "-a", "1", "-t", "3", "-r", "4000", "-c", "2",
                                    "-0", "-1", "127.0.0.1"])
        #expect(busy.lowercased().contains("busy"), "\(busy)")
        sim.send("none")
        #expect(sim.waitForErrorLine { $0.contains("fault none") } != nil)
        let fine = try Self.mbpoll(["-m", "tcp", "-p", String(port), "-a", "1", "-t", "3:hex", "-r", "4019", "-c", "1",
                                    "-0", "-1", "127.0.0.1"])
        #expect(Self.mbpollValues(fine).count == 1, "\(fine)")
    }
}
