public import PLCCore

/// The block types a program may instantiate, by type name (case-insensitive).
public struct BlockLibrary: Sendable {
    /// The types, in the order they were added.
    public private(set) var types: [any FunctionBlock.Type] = []
    private var byName: [String: any FunctionBlock.Type] = [:]

    public init(_ types: [any FunctionBlock.Type] = []) {
        for t in types { add(t) }
    }

    /// Adds a block type; a later type with the same name replaces the earlier one.
    public mutating func add(_ type: any FunctionBlock.Type) {
        if byName[type.typeName.uppercased()] == nil { types.append(type) }
        byName[type.typeName.uppercased()] = type
    }

    /// The type names, in the order they were added.
    public var typeNames: [String] { types.map { $0.typeName } }

    /// The block type called `name`, or nil.
    public func type(named name: String) -> (any FunctionBlock.Type)? {
        byName[name.uppercased()]
    }

    /// Every enumeration type used by a pin of a block in this library, by name.
    public var enumerations: [String: IECEnumType] {
        var result: [String: IECEnumType] = [:]
        for t in types {
            for d in t.interface.decls {
                if case .enumeration(let e) = d.type { result[e.name] = e }
            }
        }
        return result
    }

    /// The IEC standard blocks plus WallClockPulse, Scale, ErrorLatch and EnergyInterval: everything that does no I/O.
    public static var standard: BlockLibrary {
        BlockLibrary([TON.self, TOF.self, TP.self, R_TRIG.self, F_TRIG.self, CTU.self, CTD.self,
                      SR.self, RS.self, AND.self, OR.self, WallClockPulse.self, Scale.self, ErrorLatch.self,
                      EnergyInterval.self])
    }
}
