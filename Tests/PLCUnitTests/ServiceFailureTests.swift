import Foundation
import PLCApp
import PLCCore
import PLCGraph
import PLCModbus
import PLCMqtt
import PLCSql
import Synchronization
import Testing

/// A service whose thread dies while the program runs: reported once, then handled as its policy
/// says (docs/services.md): sinks restart with back-off, storage stops the runtime.
@Suite("Services that fail while running", .serialized)
struct ServiceFailureTests {
    final class Notes: Sendable {
        let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    static func runtime(_ sets: [String], notes: Notes) throws -> (RuntimeAssembly, String) {
        var file = try ProgramLoader.load(Fixtures.programs.appendingPathComponent("rx380_main").path,
                                          enums: Fixtures.library.enumerations)
        let dir = NSTemporaryDirectory() + "plc-failure-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for set in ["ErrorLogFile=\(dir)/rx380_logger.log", "CsvFolder=\(dir)/csv"] + sets.map({ $0.replacingOccurrences(of: "DIR", with: dir) }) {
            try file.apply(set: set)
        }
        return (try RuntimeAssembly(file: file, library: Fixtures.library, simulate: true, note: { notes.add($0) }), dir)
    }

    @Test("a killed SQL forwarder thread is reported once and restarted with back-off (1 s, then 2 s)")
    func sqlRestarts() throws {
        let notes = Notes()
        let (runtime, dir) = try Self.runtime(["SqlConnection=Driver=SQLite3;Database=DIR/readings.db"], notes: notes)
        defer { runtime.stop(); try? FileManager.default.removeItem(atPath: dir) }
        #expect(runtime.services.contains("sql rx380_main"), "\(runtime.services)")
        let block = try #require(runtime.program.instances.lazy.compactMap { $0.block as? SqlLogger }.first)
        let first = try #require(block.forwarder)
        #expect(runtime.supervise(now: 0) == nil)
        #expect(!notes.all.contains { $0.contains("failed") })

        first.stop()                                   // the thread ends behind the runtime's back
        #expect(first.hasEnded)
        let t0: Int64 = 10_000_000_000
        #expect(runtime.supervise(now: t0) == nil, "a sink restarts; the runtime goes on")
        #expect(runtime.supervise(now: t0 + 200_000_000) == nil)           // too early: not even checked again
        #expect(notes.all.filter { $0.contains("sql rx380_main: failed: its worker thread ended by itself; restarting in 1 s") }.count == 1,
                "\(notes.all)")
        #expect(block.forwarder === first, "not restarted before its back-off")
        #expect(runtime.supervise(now: t0 + 1_100_000_000) == nil)
        let second = try #require(block.forwarder)
        #expect(second !== first)
        #expect(!second.hasEnded)
        #expect(notes.all.contains { $0.hasSuffix("sql rx380_main: restarted") }, "\(notes.all)")

        second.stop()                                  // dies again: the wait doubles
        #expect(runtime.supervise(now: t0 + 2_200_000_000) == nil)
        #expect(notes.all.contains { $0.contains("sql rx380_main: failed: its worker thread ended by itself; restarting in 2 s") },
                "\(notes.all)")
    }

    @Test("a killed MQTT client thread is reported once and restarted")
    func mqttRestarts() throws {
        let notes = Notes()
        let (runtime, dir) = try Self.runtime(["MqttBroker=127.0.0.1:1"], notes: notes)
        defer { runtime.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let block = try #require(runtime.program.instances.lazy.compactMap { $0.block as? MqttPublish }.first)
        let first = try #require(block.client)
        first.stop()
        #expect(runtime.supervise(now: 5_000_000_000) == nil)
        #expect(runtime.supervise(now: 6_100_000_000) == nil)
        #expect(notes.all.filter { $0.contains("mqtt rx380_main: failed:") }.count == 1, "\(notes.all)")
        #expect(block.client !== first && block.client?.hasEnded == false)
    }

    @Test("a dead storage writer stops the runtime: reported once, and the reason returned")
    func storageStopsRuntime() throws {
        let notes = Notes()
        let (runtime, dir) = try Self.runtime([], notes: notes)
        defer { runtime.stop(); try? FileManager.default.removeItem(atPath: dir) }
        runtime.storage.writer.stop()
        let reason = runtime.supervise(now: 1_000_000_000)
        #expect(reason == "rx380_main: storage: the storage writer's thread ended by itself")
        #expect(runtime.supervise(now: 3_000_000_000) == reason)
        #expect(notes.all.filter { $0.contains("storage: failed:") }.count == 1, "\(notes.all)")
    }

    @Test("a dead bus worker stops the runtime: reported once, and the reason returned")
    func busStopsRuntime() throws {
        let notes = Notes()
        let (runtime, dir) = try Self.runtime([], notes: notes)
        defer { runtime.stop(); try? FileManager.default.removeItem(atPath: dir) }
        #expect(runtime.supervise(now: 1_000_000_000) == nil)
        let worker = try #require(runtime.modbus.workers.values.first)
        worker.stop()                                  // the thread ends behind the runtime's back
        #expect(worker.hasEnded)
        let reason = runtime.supervise(now: 2_000_000_000)
        #expect(reason == "rx380_main: modbus: bus \(worker.name): its worker thread ended by itself")
        #expect(runtime.supervise(now: 4_000_000_000) == reason)
        #expect(notes.all.filter { $0.contains("modbus: failed:") }.count == 1, "\(notes.all)")
    }

    @Test("a simulator that stops serving stops the runtime: reported once, and the reason returned")
    func simulatorStopsRuntime() throws {
        let notes = Notes()
        let (runtime, dir) = try Self.runtime([], notes: notes)
        defer { runtime.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let simulator = try #require(runtime.simulator)
        #expect(runtime.supervise(now: 1_000_000_000) == nil)
        simulator.stop()                               // its loop returns within about 200 ms
        let deadline = Date().addingTimeInterval(10)   // hang guard
        while !simulator.hasEnded && Date() < deadline { usleep(20_000) }
        #expect(simulator.hasEnded)
        let reason = runtime.supervise(now: 2_000_000_000)
        #expect(reason == "rx380_main: simulator: its serving thread ended by itself")
        #expect(runtime.supervise(now: 4_000_000_000) == reason)
        #expect(notes.all.filter { $0.contains("simulator: failed:") }.count == 1, "\(notes.all)")
    }
}
