import PLCCore
import PLCStorage
import PLCStructuredText

/// What a visualization bound to the twin's `Display` blocks would show, on standard output: each
/// time a Display renders a new table (its `udiShown` counts up), its `asTable` lines are printed,
/// as the Swift program's Display prints its table.
struct TwinDisplayConsole {
    let main: STInstance
    let displays: [String]
    private var shown: [String: IECValue] = [:]

    init(_ main: STInstance) {
        self.main = main
        displays = main.instances(of: Display.typeName)
    }

    /// Prints the table of every Display that rendered since the last call.
    mutating func show() {
        for display in displays {
            let count = main.value(at: "\(display).udiShown")
            guard let count, count != shown[display] else { continue }
            let first = shown[display] == nil
            shown[display] = count
            if first && count == .int(0) { continue }
            var lines: [String] = []
            for i in 0..<17 {
                guard case .string(let line)? = main.value(at: "\(display).asTable", element: i) else { break }
                if !line.isEmpty { lines.append(line) }
            }
            emit(lines.joined(separator: "\n") + "\n\n")
        }
    }
}
