import Foundation
import PLCCore
import PLCGraph
import Testing

/// Online write and force on a compiled program, scan by scan: what each reader sees.
@Suite struct OnlineControlTests {
    /// A counter of rising edges of `Pulse`, a timer fed by `Start`, and `Copy` written from the
    /// timer's Q after it runs (so a force on `Copy` must win over that write).
    static let text = """
        program: online
        variables:
          - {scope: VAR, name: Start, type: BOOL}
          - {scope: VAR, name: Pulse, type: BOOL}
          - {scope: VAR, name: Delay, type: TIME, initial: T#100ms}
          - {scope: VAR, name: Copy, type: BOOL}
          - {scope: VAR, name: Seen, type: BOOL}
        blocks:
          - {name: timer, type: TON, inputs: {IN: Start, PT: Delay}, outputs: {Q: Copy}}
          - {name: reader, type: TON, inputs: {IN: Copy, PT: T#0ms}, outputs: {Q: Seen}}
          - {name: counter, type: CTU, inputs: {CU: Pulse, RESET: FALSE, PV: 100}}
        """

    /// Runs `count` scans 10 ms apart from `start` ms, returning the next start.
    static func scans(_ program: CompiledProgram, _ count: Int, from start: Int64) -> Int64 {
        var t = start
        for _ in 0..<count {
            program.scan(ScanContext(time: t))
            t += 10
        }
        return t
    }

    @Test func aWriteTakesEffectAtTheNextScanOnce() throws {
        let program = try compile(Self.text)
        var t = Self.scans(program, 3, from: 0)
        let write = try program.request(force: false, "start", "TRUE")
        #expect(write == .write("Start", .bool(true)))
        program.online.submit(write)
        #expect(program.value(of: "Start") == .bool(false), "nothing changes before the next scan")
        t = Self.scans(program, 1, from: t)
        #expect(program.value(of: "Start") == .bool(true))
        t = Self.scans(program, 12, from: t)
        #expect(program.value(of: "timer.Q") == .bool(true) && program.value(of: "Seen") == .bool(true))
        // A write to a variable the program writes itself lasts until the program writes it again.
        program.online.submit(try program.request(force: false, "Copy", "FALSE"))
        _ = Self.scans(program, 1, from: t)
        #expect(program.value(of: "Copy") == .bool(true), "the timer wrote Copy again in the same scan")
        #expect(program.forces.isEmpty)
    }

    @Test func aForceHoldsEveryScanUntilUnforced() throws {
        let program = try compile(Self.text)
        program.online.submit(.write("Start", .bool(true)))
        var t = Self.scans(program, 20, from: 0)
        #expect(program.value(of: "Copy") == .bool(true))
        // Forcing the variable the timer writes: every reader sees the forced value, every scan.
        program.online.submit(try program.request(force: true, "Copy", "FALSE"))
        for _ in 0..<50 {
            t = Self.scans(program, 1, from: t)
            #expect(program.value(of: "Copy") == .bool(false))
            #expect(program.value(of: "reader.IN") == .bool(false))
            #expect(program.value(of: "timer.Q") == .bool(true), "the timer itself still runs")
        }
        #expect(program.forcedList.map(\.path) == ["Copy"])
        program.online.submit(.unforce("Copy"))
        t = Self.scans(program, 1, from: t)
        #expect(program.value(of: "Copy") == .bool(true) && program.forces.isEmpty)
    }

    @Test func aForcedInputPinHoldsBeforeItsBlockRuns() throws {
        let program = try compile(Self.text)
        // CU forced TRUE: one rising edge, then no more, whatever Pulse does.
        program.online.submit(try program.request(force: true, "counter.CU", "TRUE"))
        var t: Int64 = 0
        for scan in 0..<20 {
            program.online.submit(.write("Pulse", .bool(scan % 2 == 0)))
            t = Self.scans(program, 1, from: t)
        }
        #expect(program.value(of: "counter.CV") == .int(1))
        program.online.submit(.unforceAll)
        for scan in 0..<20 {
            program.online.submit(.write("Pulse", .bool(scan % 2 == 0)))
            t = Self.scans(program, 1, from: t)
        }
        // Pulse is TRUE in the first scan after the unforce, while CU's edge memory is still TRUE:
        // edges at scans 2, 4, ..., 18 only.
        #expect(program.value(of: "counter.CV") == .int(10))
        // A forced output pin holds after its block runs, and wires carry it on.
        program.online.submit(try program.request(force: true, "timer.Q", "TRUE"))
        _ = Self.scans(program, 1, from: t)
        #expect(program.value(of: "Copy") == .bool(true) && program.value(of: "Start") == .bool(false))
    }

    @Test func badRequestsAreRefusedWithAReasonAndChangeNothing() throws {
        let program = try compile(Self.text)
        #expect(throws: IECError("no variable or pin named 'Stop'")) { try program.request(force: false, "Stop", "TRUE") }
        #expect(throws: IECError.self) { try program.request(force: true, "Delay", "five seconds") }
        #expect(throws: IECError.self) { try program.request(force: false, "timer.XX", "1") }
        let changes = Box()
        program.onOnlineChange = { list, _ in changes.list += list }
        program.online.submit(try program.request(force: false, "delay", "T#2s"))
        _ = Self.scans(program, 1, from: 0)
        #expect(changes.list == [.init(request: .write("Delay", .time(2000)), path: "Delay", old: "T#100ms", new: "T#2s")])
    }

    @Test func aPinInsideAnFBDBlockIsForcedByItsPath() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/fbd").path
        let file = try ProgramLoader.load(folder, enums: Fixtures.library.enumerations)
        let program = try ProgramCompiler.compile(file, library: Fixtures.library)
        // `fast.counter` is the Pulse block's inner CTU: its path has two dots.
        program.online.submit(try program.request(force: true, "fast.counter.CU", "FALSE"))
        _ = Self.scans(program, 100, from: 0)
        #expect(program.value(of: "fast.counter.CV") == .int(0))
        #expect((program.value(of: "slow.counter.CV")?.int ?? 0) > 0, "the other instance counts on")
    }

    final class Box: @unchecked Sendable { var list: [OnlineControl.Change] = [] }
}
