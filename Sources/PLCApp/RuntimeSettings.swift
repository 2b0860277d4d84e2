public import PLCCore
public import PLCGraph
import PLCMqtt
import PLCYAML

/// Settings every program accepts without declaring them (`--set HttpListen=...`, a `--settings`
/// YAML file), each with the place its value came from, for `plc check`.
///
/// A program may still declare a variable of the same name: its initial value is then the default
/// (e.g. rx380_main's documented defaults), and `--set` or the settings file override it as before.
public struct RuntimeSettings: Sendable {
    /// One setting every program accepts.
    public struct Definition: Sendable {
        public let name: String
        public let initial: String
        public let help: String
        /// What is wrong with a value, or nil when it is fine (checked at `--set` and in the settings file).
        public let problem: @Sendable (String) -> String?

        init(name: String, initial: String, help: String, problem: @escaping @Sendable (String) -> String? = { _ in nil }) {
            self.name = name
            self.initial = initial
            self.help = help
            self.problem = problem
        }
    }

    /// Every runtime setting; adding one is one line here.
    public static let definitions: [Definition] = [
        .init(name: "HttpListen", initial: "", help: "host:port of the dashboard and /metrics; empty: off"),
        .init(name: "Site", initial: "", help: "the site's name in SQL, MQTT and metrics; empty: the host name up to its first dot"),
        .init(name: "SqlConnection", initial: "", help: "ODBC connection string; ${NAME} reads the environment; empty: off"),
        .init(name: "SqlTable", initial: "energy_readings", help: "the SQL table, created if missing"),
        .init(name: "MqttBroker", initial: "", help: "host:port of the MQTT broker; empty: off", problem: { text in
            text.trimmingSpaces().isEmpty || MqttSettings.broker(text) != nil
                ? nil : "expected HOST or HOST:PORT with a port 1 to 65535 (e.g. 127.0.0.1:1883)"
        }),
        .init(name: "MqttPrefix", initial: "plc", help: "the first topic level"),
        .init(name: "MqttUser", initial: "", help: "MQTT user; ${NAME} reads the environment"),
        .init(name: "MqttPassword", initial: "", help: "MQTT password; ${NAME} reads the environment"),
        .init(name: "MqttCaFile", initial: "", help: "CA certificate file; non-empty turns TLS on"),
        .init(name: "StateFolder", initial: "", help: "where RETAIN/PERSISTENT images go; empty: a state folder beside the CSV folder"),
        .init(name: "RetainInterval", initial: "T#1s", help: "at most one retain image per this interval"),
        .init(name: "UsersFile", initial: "", help: "logins for online writes (plc user add); empty: the dashboard is read-only"),
        .init(name: "InfluxFile", initial: "", help: "a file each location's readings are appended to as InfluxDB line protocol; empty: off"),
    ]

    /// Where a value came from.
    public enum Source: String, Sendable {
        case `default` = "default"
        case program = "program"
        case settingsFile = "settings file"
        case set = "--set"
    }

    private var values: [String: (value: String, source: Source)] = [:]

    public init() {
        for d in Self.definitions { values[d.name.uppercased()] = (d.initial, .default) }
    }

    /// The definition of `name` (any case), if it is a runtime setting.
    public static func definition(_ name: String) -> Definition? {
        definitions.first { $0.name.uppercased() == name.uppercased() }
    }

    /// The value of setting `name`.
    public subscript(_ name: String) -> String {
        values[name.uppercased()]?.value ?? ""
    }

    /// Where the value of `name` came from.
    public func source(of name: String) -> Source {
        values[name.uppercased()]?.source ?? .default
    }

    mutating func set(_ name: String, _ value: String, from source: Source) {
        values[name.uppercased()] = (value, source)
    }

    /// The settings after the program: a setting the program declares as a variable takes the
    /// variable's value (its initial value, or what `--set`/the settings file gave it).
    public func resolved(with program: CompiledProgram) -> RuntimeSettings {
        var result = self
        for d in Self.definitions where program.type(of: d.name) == .string {
            let value = program.value(of: d.name)?.string ?? ""
            let source = self.source(of: d.name)
            result.set(d.name, value, from: source == .default ? .program : source)
        }
        return result
    }

    /// One line per setting: name, value (passwords hidden), source; what `plc check` prints.
    public var summary: String {
        let width = Self.definitions.map(\.name.count).max() ?? 0
        var out = "\nRuntime settings\n"
        for d in Self.definitions {
            let value = self[d.name]
            let shown = d.name.uppercased().contains("PASSWORD") && !value.isEmpty ? "(set)" : "'\(value)'"
            out += "\(d.name.paddingSpaces(toLength: width))  \(shown)  (\(source(of: d.name).rawValue))\n"
        }
        return out
    }
}

extension RuntimeSettings {
    /// Applies `--set NAME=VALUE` and the settings file's entries to `file` and to these settings:
    /// a program variable or bus setting goes to the program (as before); a runtime setting the
    /// program does not declare stays here. Throws `--set ...: message` or `file:line: message`.
    public mutating func apply(settingsFile: String?, sets: [String], to file: inout ProgramFile) throws(SourceError) {
        if let settingsFile {
            for entry in try Self.entries(of: settingsFile) {
                try apply(entry.name, entry.value, from: .settingsFile, to: &file,
                          origin: SourceError(file: settingsFile, line: entry.line, ""))
            }
        }
        for argument in sets {
            guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else {
                try file.apply(set: argument)           // its own error message
                continue
            }
            let name = String(argument[..<eq]).trimmingSpaces()
            try apply(name, String(argument[argument.index(after: eq)...]), from: .set, to: &file,
                      origin: SourceError(file: "--set \(argument)", line: nil, ""))
        }
    }

    private mutating func apply(_ name: String, _ value: String, from source: Source, to file: inout ProgramFile,
                                origin: SourceError) throws(SourceError) {
        let declared = file.variables.contains { $0.decl.name.uppercased() == name.uppercased() }
        if let d = Self.definition(name) {
            if let problem = d.problem(value) {
                throw SourceError(file: origin.file, line: origin.line, "\(d.name) '\(value)': \(problem)")
            }
            set(d.name, value, from: source)
            // Not a program variable: the file carries the value too, for what reads it from the file
            // (the retain store's StateFolder and RetainInterval, the dashboard's UsersFile).
            if !declared {
                file.runtimeSettings[d.name] = value
                return
            }
        }
        if !declared && !name.lowercased().hasPrefix("bus.") {
            let variables = file.variables.map(\.decl.name).joined(separator: ", ")
            throw SourceError(file: origin.file, line: origin.line,
                              "no program variable or runtime setting '\(name)' (variables: \(variables.isEmpty ? "none" : variables);"
                                + " runtime settings: \(Self.definitions.map(\.name).joined(separator: ", ")))")
        }
        do {
            try file.apply(set: "\(name)=\(value)")
        } catch {
            guard source == .settingsFile else { throw error }
            throw SourceError(file: origin.file, line: origin.line, error.message)
        }
    }

    /// The `NAME: value` pairs of a settings file (a YAML mapping of scalars).
    static func entries(of path: String) throws(SourceError) -> [(name: String, value: String, line: Int?)] {
        let text = try TextInput.read(path, what: "the settings file")
        // A file of comments only (a template with every line commented out) sets nothing.
        guard let root = try YAMLSource.composeIfAny(text, path: path), root.scalar?.string.isEmpty != true else { return [] }
        guard let mapping = root.mapping else {
            throw SourceError(file: path, line: root.mark?.line, "expected NAME: value lines (a YAML mapping)")
        }
        var entries: [(name: String, value: String, line: Int?)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string, let text = value.scalar?.string else {
                throw SourceError(file: path, line: key.mark?.line, "expected NAME: value, with a plain value")
            }
            entries.append((name, text, key.mark?.line))
        }
        return entries
    }
}
