import Foundation
import PLCBlocks
import PLCCore
import PLCStorage
import PLCStructuredText
import Testing

/// The Codesys port run by the ST engine: the generated test PROGRAMs of st-reference/tests, and the
/// findings of issue 11 pinned on the twins (each of these fails on the code before the fix).
@Suite("st-reference run by the ST engine", .serialized)
struct CodesysTwinEngineTests {
    static let reference = PLCCommand.root.appendingPathComponent("st-reference").path

    /// The POUs of st-reference/ and its tests, with `edit` applied to file `name` when given.
    static func sources(editing name: String? = nil, _ edit: (String) -> String = { $0 }) throws -> [(path: String, text: String)] {
        var result: [(path: String, text: String)] = []
        for folder in [reference, reference + "/tests"] {
            for file in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where file.hasSuffix(".st") {
                let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
                result.append((folder + "/" + file, file == name ? edit(text) : text))
            }
        }
        return result
    }

    /// Runs the PROGRAM `name` one call per ms until its xDone: (failures, first failure, checks).
    static func runTest(_ name: String, _ library: STLibrary) throws -> (failures: Int64, first: String, checks: Int64) {
        let machine = library.makeMachine()
        let program = try #require(machine.instantiate(name), "no PROGRAM \(name)")
        var t: Int64 = 0
        while program.value(of: "xDone") != .bool(true) && t < 200_000 {
            program.execute(ScanContext(time: t, wallClock: t))
            t += 1
        }
        #expect(machine.takeFault() == nil)
        #expect(program.value(of: "xDone") == .bool(true), "\(name) did not finish")
        return (program.value(of: "udiFailures")?.int ?? -1, program.value(of: "sFirstFailure")?.string ?? "",
                program.value(of: "udiChecks")?.int ?? 0)
    }

    static var testPrograms: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: reference + "/tests")) ?? [])
            .filter { $0.hasPrefix("Test_") && $0.hasSuffix(".st") }.map { String($0.dropLast(3)) }.sorted()
    }

    @Test("every generated test suite runs in the engine and counts no failure", arguments: testPrograms)
    func generatedTestPasses(_ name: String) throws {
        let library = try STLibrary.load(sources: try Self.sources())
        let result = try Self.runTest(name, library)
        #expect(result.failures == 0, "\(name): \(result.failures) failures, first: \(result.first)")
        #expect(result.checks > 0)
    }

    @Test("a changed constant or comparison in a twin makes its test PROGRAMs fail, naming the line")
    func mutatedTwinFails() throws {
        let scale = try STLibrary.load(sources: try Self.sources(editing: "Scale.st") {
            $0.replacingOccurrences(of: "lrValue := lrRaw * lrFactor + lrOffset;", with: "lrValue := lrRaw * lrFactor - lrOffset;")
        })
        let broken = try Self.runTest("Test_Scale_scale_integers", scale)
        #expect(broken.failures > 0 && broken.first.hasPrefix("line "), "\(broken)")
        let latch = try STLibrary.load(sources: try Self.sources(editing: "ErrorLatch.st") {
            $0.replacingOccurrences(of: "ELSIF NOT xError AND xPreviousError THEN", with: "ELSIF NOT xError THEN")
        })
        #expect(try Self.runTest("Test_ErrorLatch_error_latch_outages", latch).failures > 0)
    }

    /// Runs the PROGRAM TestRunner one call per ms until GVL_TestResult.xDone: the runner and its machine.
    static func runRunner(_ library: STLibrary) throws -> (runner: STInstance, machine: STMachine) {
        let machine = library.makeMachine()
        let runner = try #require(machine.instantiate("TestRunner"), "no PROGRAM TestRunner")
        var t: Int64 = 0
        while machine.global("GVL_TestResult.xDone") != .bool(true) && t < 200_000 {
            runner.execute(ScanContext(time: t, wallClock: t))
            t += 1
        }
        #expect(machine.takeFault() == nil)
        return (runner, machine)
    }

    @Test("TestRunner runs every suite under the engine: xAllPassed, every suite counted, a summary in the device log")
    func runnerPasses() throws {
        let (runner, machine) = try Self.runRunner(try STLibrary.load(sources: try Self.sources()))
        let suites = Int64(Self.testPrograms.count)
        #expect(machine.global("GVL_TestResult.udiSuites") == .int(suites))
        #expect(machine.global("GVL_TestResult.udiSuitesDone") == .int(suites))
        #expect((machine.global("GVL_TestResult.udiChecks")?.int ?? 0) > 500)
        // CI fails here when any suite fails under the engine.
        #expect(runner.value(of: "xAllPassed") == .bool(true), "\(machine.global("GVL_TestResult.sFirstFailure") as Any)")
        #expect(machine.deviceLog.map(\.text) == ["TestRunner: all \(suites) suites passed"])
        #expect(machine.deviceLog.first?.classID == 1)        // LogClass.LOG_INFO
    }

    @Test("a mutated twin makes TestRunner fail: xAllPassed FALSE, each failure in the device log with its suite's name")
    func runnerFailsOnAMutatedTwin() throws {
        let scale = try STLibrary.load(sources: try Self.sources(editing: "Scale.st") {
            $0.replacingOccurrences(of: "lrValue := lrRaw * lrFactor + lrOffset;", with: "lrValue := lrRaw * lrFactor - lrOffset;")
        })
        let (runner, machine) = try Self.runRunner(scale)
        #expect(machine.global("GVL_TestResult.xDone") == .bool(true))
        #expect(runner.value(of: "xAllPassed") == .bool(false))
        #expect((machine.global("GVL_TestResult.udiFailedSuites")?.int ?? 0) >= 1)
        let errors = machine.deviceLog.filter { $0.classID == 4 }       // LogClass.LOG_ERROR
        #expect(errors.contains { $0.text.hasPrefix("Test_Scale_scale_integers: line ") }, "\(machine.deviceLog.map(\.text))")
        #expect(errors.last?.text.hasPrefix("TestRunner: ") == true && errors.last?.text.contains(" suites failed; first: Test_Scale_") == true,
                "\(errors.last?.text ?? "")")
        // A suite logs at most 10 failures; the rest are counted.
        let fromOneSuite = Dictionary(grouping: errors.dropLast(), by: { $0.text.prefix { $0 != ":" } })
        #expect(fromOneSuite.values.allSatisfy { $0.count <= 10 })
    }

    /// The file of st-reference at the commit before issue 11's fixes.
    static func oldFile(_ name: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", PLCCommand.root.path, "show", "6f16009:st-reference/\(name)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("finding 12: the cell rule holds in ST; the old F_FormatValue fails it (no overflow check)")
    func formatValueRule() throws {
        let library = try STLibrary.load(sources: try Self.sources())
        #expect(try Self.runTest("Test_F_FormatValue_cell_format", library).failures == 0)
        let old = try Self.oldFile("F_FormatValue.st")
        let previous = try STLibrary.load(sources: try Self.sources(editing: "F_FormatValue.st") { _ in old })
        let result = try Self.runTest("Test_F_FormatValue_cell_format", previous)
        #expect(result.failures > 0, "\(result)")
    }

    /// A FUNCTION_BLOCK that calls `call` with `input` and returns the text.
    static func probe(_ call: String, input: String) -> (path: String, text: String) {
        ("probe.st", """
            FUNCTION_BLOCK Probe
            VAR_INPUT x : \(input); END_VAR
            VAR_OUTPUT s : STRING(255); END_VAR
            s := \(call);
            END_FUNCTION_BLOCK
            """)
    }

    /// Runs Probe over `values`, returning its text for each.
    static func texts(_ library: STLibrary, _ values: [IECValue]) throws -> [String] {
        let machine = library.makeMachine()
        let probe = try #require(machine.instantiate("Probe"))
        return values.map { value in
            probe[pin: probe.interface.decls.firstIndex { $0.name == "x" }!] = value
            probe.execute(ScanContext())
            return probe.value(of: "s")?.string ?? "?"
        }
    }

    @Test("finding 14: F_Timestamp equals the Swift log timestamp, before 1970, on leap days and at midnight")
    func timestamps() throws {
        let times: [Int64] = [0, 1_764_095_490_123, 951_782_400_000, 951_868_799_999, 4_102_444_800_005, -1, -86_400_000, 59_999]
        let library = try STLibrary.load(sources: try Self.sources() + [Self.probe("F_Timestamp(liLocalMs := x, xMillis := TRUE)", input: "LINT")])
        #expect(try Self.texts(library, times.map { .int($0) }) == times.map(CivilTime.logTimestamp))
    }

    @Test("finding 11: F_Duration equals the Swift duration text; TIME_TO_STRING (the old text) does not")
    func durations() throws {
        let values: [Int64] = [0, 450, 999, 1000, 59_000, 210_000, 7_200_000, 7_260_000, 90_061_000, 4_294_967_295]
        let library = try STLibrary.load(sources: try Self.sources() + [Self.probe("F_Duration(x)", input: "LINT")])
        #expect(try Self.texts(library, values.map { .int($0) }) == values.map(CivilTime.duration))
        let old = try STLibrary.load(sources: try Self.sources() + [Self.probe("TIME_TO_STRING(x)", input: "TIME")])
        #expect(try Self.texts(old, [.time(210_000)]) != [CivilTime.duration(210_000)])
    }

    @Test("finding 13: F_ColumnList trims and drops empty names as the Swift header does; the old count did not")
    func columnNames() throws {
        let lists = [" a, ,b,,c ,", "voltage_l1,voltage_l2", "", ",,", "x"]
        let library = try STLibrary.load(sources: try Self.sources() + [Self.probe("F_ColumnList(x)", input: "STRING(255)")])
        #expect(try Self.texts(library, lists.map { .string($0) }) == lists.map { ValueColumns.names($0).joined(separator: ",") })
        let count = try STLibrary.load(sources: try Self.sources(editing: "F_CountColumns.st") { _ in try! Self.oldFile("F_CountColumns.st") }
                                       + [Self.probe("INT_TO_STRING(F_CountColumns(x))", input: "STRING(255)")])
        #expect(try Self.texts(count, [.string(" a, ,b,,c ,")]) != ["\(ValueColumns.names(" a, ,b,,c ,").count)"])
    }

    @Test("finding 13: WallClockPulse floors local times before 1970 as the Swift block does; the old twin truncated")
    func wallClockBeforeEpoch() throws {
        func pulses(_ library: STLibrary) throws -> [Bool] {
            let st = try #require(library.makeMachine().instantiate("WallClockPulse"))
            st[pin: st.interface.decls.firstIndex { $0.name == "tInterval" }!] = .time(1000)
            let q = st.interface.decls.firstIndex { $0.name == "Q" }!
            return stride(from: Int64(-5500), through: 1500, by: 250).map { t in
                st.execute(ScanContext(time: t + 5500, wallClock: t))
                return st[pin: q] == .bool(true)
            }
        }
        let swift = WallClockPulse()
        swift.tInterval = 1000
        let expected = stride(from: Int64(-5500), through: 1500, by: 250).map { t in
            swift.execute(ScanContext(time: t + 5500, wallClock: t))
            return swift.Q
        }
        #expect(expected.filter { $0 }.count == 7)
        #expect(try pulses(try STLibrary.load(sources: try Self.sources())) == expected)
        let old = try Self.oldFile("WallClockPulse.st")
        #expect(try pulses(try STLibrary.load(sources: try Self.sources(editing: "WallClockPulse.st") { _ in old })) != expected)
    }
}
