import ArgumentParser

/// The `plc` command: run, check and trace IEC programs and blocks.
@main
struct PLC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plc",
        abstract: "A deterministic PLC runtime for function-block programs.",
        version: Version.text,
        subcommands: [Run.self, Check.self, Trace.self, Simulate.self, Export.self, Bench.self, CheckST.self, Report.self, DashboardBench.self]
    )
}
