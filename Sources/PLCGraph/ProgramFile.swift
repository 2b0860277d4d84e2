public import PLCCore

/// A program file as written, before names and types are resolved: every item keeps its line.
public struct ProgramFile: Sendable {
    /// The cyclic task's settings.
    public struct Task: Sendable {
        /// Scan period in ms.
        public var interval: Int64 = 100
        /// Watchdog time in ms (0 = off); trips when one scan takes longer than watchdog x sensitivity,
        /// or `sensitivity` scans in a row take longer than the watchdog time.
        public var watchdog: Int64 = 0
        public var sensitivity: Int = 1
        public var overrun: OverrunPolicy = .skip
    }

    /// One task of a `tasks:` list (Codesys's task configuration): its settings, priority and blocks.
    public struct TaskEntry: Sendable {
        public let name: String
        public var settings: Task
        /// 0 (most urgent) to 31, as in Codesys.
        public var priority: Int
        /// The block instances it runs, in the program's execution order.
        public var blocks: [String]
        public let line: Int
    }

    /// What the executor does when a scan ends after the next start was due.
    public enum OverrunPolicy: String, Sendable, CaseIterable {
        /// Start again at the next on-time slot of the period grid; missed slots are counted, not run.
        case skip
        /// Start the missed scans back to back until the schedule is caught up.
        case catchUp = "catch-up"
    }

    /// One setting of a bus, as text, with where it came from (the file, `--set`, `--simulate`).
    public struct Setting: Sendable {
        public let key: String
        public let value: String
        public let origin: SourceOrigin

        public init(_ key: String, _ value: String, _ origin: SourceOrigin) {
            self.key = key
            self.value = value
            self.origin = origin
        }
    }

    /// One bus: a name and its settings as text, interpreted by the I/O module that owns it.
    public struct Bus: Sendable {
        public let name: String
        public let line: Int
        /// Later settings override earlier ones with the same key.
        public var settings: [Setting]

        /// The setting `key`, or nil.
        public func value(_ key: String) -> String? {
            settings.last { $0.key == key }?.value
        }
    }

    /// A program variable with the line it is declared on.
    public struct Variable: Sendable {
        public var decl: VarDecl
        public let line: Int
        /// `retain: true` or `persistent: true` on the entry; nil: initialised at every start.
        public var retain: RetainClass? = nil
        /// `online: write` on the entry: an operator may write and force it online (an engineer may
        /// write anything).
        public var onlineWritable = false
    }

    /// Where a wire comes from.
    public enum Source: Sendable, Equatable {
        /// `instance.pin`, or `instance.pin[index]` for an element of an array output.
        case pin(instance: String, pin: String, index: Int?)
        /// A name that is not an instance: a program variable, or else a literal.
        case name(String)
        /// Text that can only be a literal (`T#5s`, `16#0A`, `'text'`, `-1.5`).
        case literal(String)
    }

    /// A wire into an input pin (or one element of an array input).
    public struct Wire: Sendable {
        public let pin: String
        public let index: Int?
        public let source: Source
        /// The negation circle of FBD: the BOOL value is inverted on the way in.
        public let negate: Bool
        /// A wire that closes a loop: it carries the value of the previous scan (CFC feedback).
        public let feedback: Bool
        public let line: Int
        /// The file `line` is in, when not the program's own (a wire flattened from a function block file).
        public var file: String? = nil
    }

    /// An output pin assigned to a program variable after the block runs.
    public struct Assignment: Sendable {
        public let pin: String
        public let variable: String
        public let line: Int
        /// The file `line` is in, when not the program's own (flattened from a function block file).
        public var file: String? = nil
    }

    /// A block instance.
    public struct Instance: Sendable {
        public let name: String
        public let type: String
        public let line: Int
        /// The file `line` is in, when not the program's own (flattened from a function block file).
        public var file: String? = nil
        /// The bus an I/O block uses, when the program has several.
        public let bus: String?
        public var inputs: [Wire]
        public var outputs: [Assignment]
        /// `retain: true` or `persistent: true` on the entry: the instance keeps all its variables.
        public var retain: RetainClass? = nil
    }

    public let path: String
    public var name: String
    public var description: String
    public var task: Task
    public var buses: [Bus]
    public var variables: [Variable]
    public var instances: [Instance]
    /// The `tasks:` list; empty for the one-task form (`task:`).
    public var tasks: [TaskEntry] = []
    /// Runtime settings given with `--set` that are not program variables (`StateFolder`, `RetainInterval`).
    public var runtimeSettings: [String: String] = [:]
    /// The FBD function blocks the program uses and its text before flattening; nil when it uses none.
    public var functionBlocks: FunctionBlockUse? = nil
}
