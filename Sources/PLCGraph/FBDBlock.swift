public import PLCCore

/// An FBD function block run on its own (`plc trace`, vector tests): its network compiled as a
/// program whose variables are the block's pins. In a program the loader flattens it instead.
public final class FBDBlock: FunctionBlock {
    /// Unused: an FBD block type's table comes with its `BlockType` (see `FunctionBlockDefinition.blockType`).
    public static var interface: VarTable { VarTable("FBDBlock", []) }
    /// The network; nil for the empty block the protocol asks for.
    public let network: CompiledProgram?
    private let slots: [PinRef]

    /// An empty block, for the protocol; instances come from `FunctionBlockDefinition.blockType`.
    public init() {
        network = nil
        slots = []
    }

    init(_ network: CompiledProgram, interface: VarTable) {
        self.network = network
        slots = interface.decls.compactMap { d in network.variables.index(of: d.name).map { network.storage.slots[$0] } }
    }

    /// The interface's variables, at their addresses in the network's storage.
    public var pins: [PinRef] { slots }

    public func execute(_ context: ScanContext) { network?.scan(context) }
}

extension FunctionBlockDefinition {
    /// The block as a block type of `library` (which must hold every type the network uses): each
    /// instance is the network compiled on its own. Throws the network's errors, with file and line.
    public func blockType(library: BlockLibrary) throws(ProgramErrors) -> BlockType {
        let flat = self.flat, interface = self.interface
        _ = try ProgramCompiler.compile(flat, library: library)
        return BlockType(name: name, interface: interface, stMapping: .twin, make: {
            guard let network = try? ProgramCompiler.compile(flat, library: library) else { return FBDBlock() }
            return FBDBlock(network, interface: interface)
        })
    }
}
