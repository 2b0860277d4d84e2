/// Runs a block over a vector file in virtual time, scan by scan, and compares expected outputs.
public struct VectorTrace {
    /// A difference between an expected output cell and what the block produced.
    public struct Mismatch: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let line: Int
        public let time: Int64
        public let pin: String
        public let expected: String
        public let actual: String

        public var description: String {
            "\(path):\(line): t_ms=\(time): \(pin) expected \(expected), got \(actual)"
        }
    }

    /// The pins printed in a trace: every input, then every output, in table order.
    public let pins: [Int]
    /// One row per scan: t_ms and the value of each pin in `pins` after the call.
    public private(set) var rows: [(time: Int64, values: [IECValue])] = []
    /// Every mismatch found, in row order.
    public private(set) var mismatches: [Mismatch] = []

    /// Runs a fresh instance of `type` over `vectors`; the scan time of each row is its `t_ms`.
    public init(_ type: any FunctionBlock.Type, _ vectors: VectorFile) {
        let block = type.init()
        // An I/O block gets its input and output image phases around the call, as in a task.
        let io = block as? any IOBlock
        self.init(type.interface, vectors, read: { block[pin: $0] }, write: { block[pin: $0] = $1 }, execute: {
            io?.readInputs()
            block.execute($0)
            io?.writeOutputs()
        })
    }

    /// Runs any block given by its interface and pin accessors (an ST instance, for example) over `vectors`.
    public init(_ interface: VarTable, _ vectors: VectorFile, read: (Int) -> IECValue, write: (Int, IECValue) -> Void,
                execute: (ScanContext) -> Void) {
        pins = interface.decls.indices.filter { interface.decls[$0].scope == .input }
            + interface.decls.indices.filter { interface.decls[$0].scope == .output }
        for (cycle, row) in vectors.rows.enumerated() {
            for (column, cell) in zip(vectors.columns, row.cells) where column.decl.scope == .input {
                if let cell { write(column.pin, cell) }
            }
            execute(ScanContext(time: row.time, wallClock: row.time, cycle: UInt64(cycle)))
            for (column, cell) in zip(vectors.columns, row.cells) where column.decl.scope == .output {
                guard let expected = cell else { continue }
                let actual = read(column.pin)
                if !IECLiteral.matches(expected, actual, as: column.decl.type) {
                    mismatches.append(Mismatch(path: vectors.path, line: row.line, time: row.time, pin: column.decl.name,
                                               expected: IECLiteral.format(expected, as: column.decl.type),
                                               actual: IECLiteral.format(actual, as: column.decl.type)))
                }
            }
            rows.append((row.time, pins.map { read($0) }))
        }
        self.interface = interface
    }

    private let interface: VarTable

    /// The trace as CSV: a header `t_ms,<pins>` and one line per scan, values as IEC literals.
    public func csv() -> String {
        var lines = [(["t_ms"] + pins.map { interface.decls[$0].name }).joined(separator: ",")]
        for row in rows {
            let cells = zip(pins, row.values).map { pin, value in
                CSVText.escape(IECLiteral.format(value, as: interface.decls[pin].type))
            }
            lines.append(([String(row.time)] + cells).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
