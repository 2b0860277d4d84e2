import ArgumentParser
import Glibc

/// The `plc` command: run, check and trace IEC programs and blocks.
@main
struct PLC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plc",
        abstract: "A deterministic PLC runtime for function-block programs.",
        version: Version.text,
        subcommands: [Run.self, Check.self, Trace.self, Simulate.self, Export.self, Bench.self, CheckST.self, Report.self, DashboardBench.self, User.self, Online.self]
    )

    /// Runs the command; with `PLC_PARSE_ONLY=1` in the environment it only parses the arguments
    /// (exit 0 when they parse, the usage error otherwise), so the documentation's commands can be
    /// checked without running them (DocumentationTests).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard getenv("PLC_PARSE_ONLY") != nil else {
            main(arguments)
            return
        }
        do {
            _ = try parseAsRoot(arguments)
        } catch {
            exit(withError: error)
        }
    }
}
