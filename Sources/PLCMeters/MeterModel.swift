/// A power meter model, read from `meters/<model>.yaml`: its register map and how to poll it.
public struct MeterModel: Sendable {
    /// One request: a contiguous run of registers read with one function code.
    public struct Group: Sendable, Equatable, CustomStringConvertible {
        public var function: UInt8
        public var address: Int
        public var count: Int

        public init(function: UInt8, address: Int, count: Int) {
            self.function = function
            self.address = address
            self.count = count
        }

        /// The registers the request reads.
        public var registers: ClosedRange<Int> { address...(address + count - 1) }

        /// `FC04 4000-4045`, as a model file writes it.
        public var description: String { "FC\(function < 10 ? "0" : "")\(function) \(address)-\(address + count - 1)" }
    }

    /// The columns every meter block shows and every location's CSV has, in this order
    /// (the RX380 logger's columns, then the energy counter). A model lacking one leaves it empty.
    public static let columns = [
        "voltage_l12", "voltage_l23", "voltage_l31", "voltage_l1", "voltage_l2", "voltage_l3",
        "current_l1", "current_l2", "current_l3", "total_real_power", "total_power_factor", "frequency",
        "total_real_energy",
    ]

    /// The model name (the file name without `.yaml`), e.g. `rx380`.
    public var name: String
    public var manufacturer: String
    public var description: String
    /// Function codes the meter answers on its register ranges (the first is the values' default).
    public var functions: [UInt8]
    /// The most registers the meter returns in one request (Modbus allows 125).
    public var maxRegisters: Int
    /// The register ranges the meter answers; a request that crosses a gap gets exception 02.
    public var answers: [ClosedRange<Int>]
    public var values: [MeterValue]
    /// The file the model was read from.
    public var path: String

    public init(name: String, manufacturer: String = "", description: String = "", functions: [UInt8],
                maxRegisters: Int = 125, answers: [ClosedRange<Int>], values: [MeterValue], path: String = "") {
        self.name = name
        self.manufacturer = manufacturer
        self.description = description
        self.functions = functions
        self.maxRegisters = maxRegisters
        self.answers = answers
        self.values = values
        self.path = path
    }

    /// The value called `name`, if the model has it.
    public func value(named name: String) -> MeterValue? {
        values.first { $0.name == name }
    }

    /// True when the meter answers a read of `count` registers from `address`.
    public func answers(address: Int, count: Int) -> Bool {
        count >= 1 && count <= maxRegisters
            && answers.contains { $0.contains(address) && $0.contains(address + count - 1) }
    }

    /// The fewest requests that read every polled value: per function code, values in address
    /// order, each request extended while it stays within one answered range and `maxRegisters`.
    /// (Greedy extension is optimal for covering points on a line with bounded intervals.)
    public var groups: [Group] {
        var result: [Group] = []
        let polled = values.filter(\.poll)
        for function in Set(polled.map(\.function)).sorted() {
            var current: Group?
            for value in polled.filter({ $0.function == function }).sorted(by: { $0.address < $1.address }) {
                if var g = current {
                    let end = max(g.registers.upperBound, value.registers.upperBound)
                    if answers(address: g.address, count: end - g.address + 1) {
                        g.count = end - g.address + 1
                        current = g
                        continue
                    }
                    result.append(g)
                }
                current = Group(function: function, address: value.address, count: value.format.registerCount)
            }
            if let g = current { result.append(g) }
        }
        return result
    }
}
