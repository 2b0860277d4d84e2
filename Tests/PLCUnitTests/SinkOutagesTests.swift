@testable import PLCApp
import Testing

/// The once-per-outage lines of the runtime's own sinks: sinks failing alike in one look share a line.
@Suite struct SinkOutagesTests {
    final class Sink {
        var fault: String?
    }

    @Test func sinksFailingAlikeShareOneLineAndRecoverTogether() {
        let sinks = ["Office", "Production", "Aircon"].map { _ in Sink() }
        var outages = SinkOutages()
        for (label, sink) in zip(["Office", "Production", "Aircon"], sinks) { outages.add(label, owner: sink) { sink.fault } }
        var lines: [String] = []
        let second: Int64 = 1_000_000_000
        outages.check(now: 0) { lines.append("\($0) \($1)") }
        #expect(lines.isEmpty)
        for sink in sinks { sink.fault = "SQL connect failed [08001]: refused" }
        sinks[2].fault = "SQL insert failed [42P01]: no table"
        outages.check(now: second) { lines.append("\($0) \($1)") }
        #expect(lines == ["ERROR Office, Production: SQL connect failed [08001]: refused", "ERROR Aircon: SQL insert failed [42P01]: no table"])
        lines = []
        outages.check(now: 2 * second) { lines.append("\($0) \($1)") }
        #expect(lines.isEmpty, "one line per outage, not per look")
        for sink in sinks { sink.fault = nil }
        outages.check(now: 4 * second) { lines.append("\($0) \($1)") }
        #expect(lines.count == 2 && lines[0].hasPrefix("INFO Office, Production: Recovered after 3s") && lines[1].hasPrefix("INFO Aircon: "),
                "\(lines)")
        // A sink removed by an online change takes its watch with it.
        outages.remove([sinks[0]])
        sinks[0].fault = "down"
        sinks[1].fault = "down"
        lines = []
        outages.check(now: 5 * second) { lines.append("\($0) \($1)") }
        #expect(lines == ["ERROR Production: down"])
    }
}
