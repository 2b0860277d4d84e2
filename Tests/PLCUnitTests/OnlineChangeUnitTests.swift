import Foundation
import PLCCore
import PLCGraph
import Synchronization
import Testing

/// Online change of a compiled program: what a swap keeps, starts afresh, drops and refuses.
@Suite struct OnlineChangeUnitTests {
    static let text = """
        program: online
        variables:
          - {scope: VAR, name: Start, type: BOOL}
          - {scope: VAR, name: Delay, type: TIME, initial: T#1s}
          - {scope: VAR, name: Copy, type: BOOL}
        blocks:
          - {name: timer, type: TON, inputs: {IN: Start, PT: Delay}, outputs: {Q: Copy}}
          - {name: reader, type: TON, inputs: {IN: Copy, PT: T#0ms}}
          - {name: counter, type: CTU, inputs: {CU: Start, RESET: FALSE, PV: 100}}
        """

    /// Applies `change` from another thread while this one scans (10 ms apart from `t`), as a
    /// running task would; the refusal (nil: applied) and the next scan time.
    static func swap(_ program: CompiledProgram, _ change: OnlineChange, from t: Int64) -> (String??, Int64) {
        let outcome = Mutex<String??>(nil)
        let box = UncheckedBox((program, change))
        let thread = Thread {
            let (program, change) = box.value
            let refusal = program.apply(change, timeout: 10) { _ in }
            outcome.withLock { $0 = .some(refusal) }
        }
        thread.start()
        var t = t
        let deadline = Date().addingTimeInterval(20)
        while outcome.withLock({ $0 }) == nil && Date() < deadline {
            program.scan(ScanContext(time: t))
            t += 10
            Thread.sleep(forTimeInterval: 0.001)
        }
        return (outcome.withLock { $0 }, t)
    }

    @Test func keptBlocksKeepTheirStateNewOnesStartFresh() throws {
        let program = try compile(Self.text)
        try program.setValue(.bool(true), of: "Start")
        var t = OnlineControlTests.scans(program, 5, from: 0)
        try program.setValue(.time(300), of: "Delay")
        let elapsed = program.value(of: "timer.ET")
        #expect(elapsed == .time(40))
        let edited = Self.text
            .replacingOccurrences(of: "initial: T#1s", with: "initial: T#5s")
            .replacingOccurrences(of: "PV: 100", with: "PV: 7")
            .replacingOccurrences(of: "  - {name: reader, type: TON, inputs: {IN: Copy, PT: T#0ms}}\n", with: "")
            + "\n  - {name: extra, type: TON, inputs: {IN: Start, PT: T#2s}}"
        let change = try program.prepareChange(to: compile(edited), library: Fixtures.library)
        #expect(change.summary == "online change: 1 blocks added, 1 removed, 2 kept, 0 reset")
        #expect(program.value(of: "counter.PV") == .int(100), "nothing changes before the swap")
        let (outcome, next) = Self.swap(program, change, from: t)
        t = next
        #expect(outcome == .some(nil))
        #expect(program.generation == 1)
        // The timer went on from its elapsed time; the running Delay stays (a new initial value is for new instances).
        guard case .time(let ms)? = program.value(of: "timer.ET") else { Issue.record("no timer.ET"); return }
        #expect(ms > 40)
        #expect(program.value(of: "Delay") == .time(300))
        #expect(program.value(of: "counter.PV") == .int(7), "a changed literal applies at the swap")
        #expect(program.value(of: "reader.Q") == nil)
        guard case .time(let extra)? = program.value(of: "extra.ET") else { Issue.record("no extra.ET"); return }
        #expect(extra < ms, "the added timer started at the swap")
        #expect(program.onlineCatalog.entry("extra.PT") != nil && program.onlineCatalog.entry("reader.PT") == nil)
        _ = OnlineControlTests.scans(program, 30, from: t)
        #expect(program.value(of: "Copy") == .bool(true))
    }

    @Test func aTypeChangeUnderTheSameNameIsRefusedWithItsLine() throws {
        let program = try compile(Self.text)
        let edited = Self.text.replacingOccurrences(of: "{name: timer, type: TON", with: "{name: timer, type: TOF")
        #expect(throws: ProgramErrors.self) { try program.prepareChange(to: compile(edited), library: Fixtures.library) }
        do {
            _ = try program.prepareChange(to: compile(edited), library: Fixtures.library)
        } catch let error as ProgramErrors {
            #expect(error.description.contains("test.yaml:7: block timer changed its type from TON to TOF"), "\(error.description)")
        }
    }

    @Test func aChangeIsRefusedWhileValuesAreForced() throws {
        let program = try compile(Self.text)
        program.online.submit(try program.request(force: true, "Start", "TRUE"))
        let t = OnlineControlTests.scans(program, 1, from: 0)
        let change = try program.prepareChange(to: compile(Self.text + "\n  - {name: extra, type: TON, inputs: {IN: Start, PT: T#2s}}"),
                                               library: Fixtures.library)
        let (outcome, _) = Self.swap(program, change, from: t)
        #expect(outcome??.contains("values are forced") == true)
        #expect(program.value(of: "extra.Q") == nil && program.generation == 0)
    }
}

/// Hands a value that is not Sendable to one other thread (the test's scan thread never touches it meanwhile).
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
