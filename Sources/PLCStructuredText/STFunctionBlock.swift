public import PLCCore

/// An ST `FUNCTION_BLOCK` placed in an FBD program: the graph wires and calls it like a Swift block.
///
/// Its pins live in the engine's frame, not at Swift pin addresses, so the compiled program copies
/// into and out of it through `IECValue` (the boxed path): one conversion per wired pin per scan.
public final class STFunctionBlock: FunctionBlock {
    /// Unused: an ST block type's table comes with its `BlockType` (see `BlockType(st:)`).
    public static var interface: VarTable { VarTable("STFunctionBlock", []) }
    let instance: STInstance?

    /// An empty block, for the protocol; programs get instances from `BlockType(st:)`.
    public init() { instance = nil }

    init(_ instance: STInstance) { self.instance = instance }

    /// Pins are reached by number through the engine.
    public var pins: [PinRef] { [] }

    public func execute(_ context: ScanContext) {
        guard let instance else { return }
        instance.execute(context)
        if instance.watchdogAborts != 0, let fault = instance.takeWatchdogFault() { Console.write(fault + "\n", to: 2) }
        if !runTimeFaultReported, instance.machine.env.fault != nil, let fault = instance.machine.takeFault() {
            runTimeFaultReported = true
            Console.write("run-time fault in \(instance.pou.name): \(fault) (logged once; the block goes on past the"
                          + " faulty operation, where Codesys stops the application with an exception)\n", to: 2)
        }
    }
    /// Whether the first run-time fault (division by zero, index out of range, null pointer) was written.
    private var runTimeFaultReported = false

    public subscript(pin pin: Int) -> IECValue {
        get { instance?[pin: pin] ?? .int(0) }
        set { instance?[pin: pin] = newValue }
    }
}

extension BlockType {
    /// The ST function block `type` as a block type programs can instantiate; each instance runs on
    /// its own machine.
    public init(st type: STBlockType) {
        self.init(name: type.name, interface: type.interface, stMapping: .twin,
                  make: { STFunctionBlock(type.instantiate()) })
    }
}
