/// One block type a program may instantiate: its name, variable table, ST mapping and a factory.
///
/// A Swift block type becomes one with `BlockType(TON.self)`; blocks written in ST or as FBD
/// networks provide their own table and factory, so the graph treats all kinds alike.
public struct BlockType: Sendable {
    public let name: String
    public let interface: VarTable
    public let stMapping: STMapping
    /// The Swift class, when the block is written in Swift.
    public let swiftType: (any FunctionBlock.Type)?
    private let factory: @Sendable () -> any FunctionBlock

    /// A block type written in Swift.
    public init(_ type: any FunctionBlock.Type) {
        name = type.typeName
        interface = type.interface
        stMapping = type.stMapping
        swiftType = type
        factory = { type.init() }
    }

    /// A block type defined elsewhere (ST, a composite): `make` returns a fresh instance.
    public init(name: String, interface: VarTable, stMapping: STMapping,
                make: @escaping @Sendable () -> any FunctionBlock) {
        self.name = name
        self.interface = interface
        self.stMapping = stMapping
        swiftType = nil
        factory = make
    }

    /// A new instance with every variable at its initial value.
    public func make() -> any FunctionBlock { factory() }
}

/// The block types a program may instantiate, by type name (case-insensitive).
///
/// Each module contributes its types (`StandardBlocks.types`, `ModbusBlocks.types`, ...); the command
/// line and the tests join them into one library.
public struct BlockLibrary: Sendable {
    /// The types, in the order they were added.
    public private(set) var entries: [BlockType] = []
    private var byName: [String: Int] = [:]

    public init(_ types: [any FunctionBlock.Type] = []) {
        for t in types { add(t) }
    }

    /// Adds a Swift block type; a later type with the same name replaces the earlier one.
    public mutating func add(_ type: any FunctionBlock.Type) {
        add(BlockType(type))
    }

    /// Adds a block type; a later type with the same name replaces the earlier one.
    public mutating func add(_ type: BlockType) {
        if let i = byName[type.name.uppercased()] {
            entries[i] = type
        } else {
            byName[type.name.uppercased()] = entries.count
            entries.append(type)
        }
    }

    /// The Swift block types, in the order they were added.
    public var types: [any FunctionBlock.Type] { entries.compactMap(\.swiftType) }

    /// The type names, in the order they were added.
    public var typeNames: [String] { entries.map(\.name) }

    /// The block type called `name`, or nil.
    public func entry(named name: String) -> BlockType? {
        byName[name.uppercased()].map { entries[$0] }
    }

    /// The Swift block type called `name`, or nil.
    public func type(named name: String) -> (any FunctionBlock.Type)? {
        entry(named: name)?.swiftType
    }

    /// Every enumeration type used by a pin of a block in this library, by name.
    public var enumerations: [String: IECEnumType] {
        var result: [String: IECEnumType] = [:]
        for entry in entries {
            for d in entry.interface.decls {
                if case .enumeration(let e) = d.type { result[e.name] = e }
                if case .array(.enumeration(let e), _) = d.type { result[e.name] = e }
            }
        }
        return result
    }

    /// Checks that every Swift block's pin declarations agree with the Swift types storing them;
    /// returns one message per block that does not.
    public static func validate(_ types: [any FunctionBlock.Type]) -> [String] {
        types.compactMap { type in
            func check<B: FunctionBlock>(_ b: B.Type) -> String? {
                do {
                    _ = try BlockInterfaces.derive(b)
                    return nil
                } catch {
                    return error.message
                }
            }
            return check(type)
        }
    }
}
