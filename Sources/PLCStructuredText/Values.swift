import PLCCore

/// Converts between slots and `IECValue`, and maps engine types onto PLCCore's `IECType`.
enum Values {
    static func iecType(_ t: STType) -> IECType? {
        switch t {
        case .bool: .bool
        case .byte: .byte
        case .word: .word
        case .dword: .dword
        case .sint: .sint
        case .usint: .usint
        case .int: .int
        case .uint: .uint
        case .dint: .dint
        case .udint: .udint
        case .lint: .lint
        case .real: .real
        case .lreal: .lreal
        case .time: .time
        case .string: .string
        case .enumeration(let e):
            e.cases.enumerated().allSatisfy({ $0.offset == Int($0.element.value) })
                ? .enumeration(IECEnumType(e.name, cases: e.cases.map(\.name))) : .int
        case .array(let element, let lo, let hi):
            if lo == 0, let inner = iecType(element), !element.isAggregate { .array(inner, count: hi - lo + 1) } else { nil }
        default: nil
        }
    }

    static func read(_ p: UnsafeMutablePointer<Int64>, type: STType, strings: StringTable) -> IECValue {
        switch type {
        case .bool: return .bool(p.pointee != 0)
        case .real, .lreal: return .real(Emit.realFromBits(p.pointee, type))
        case .time: return .time(p.pointee)
        case .ltime: return .time(p.pointee / 1_000_000)
        case .string: return .string(strings.items[Int(p.pointee)])
        case .array(let element, let lo, let hi):
            return .array((0...(hi - lo)).map { read(p + $0 * element.size, type: element, strings: strings) })
        default: return .int(p.pointee)
        }
    }

    static func write(_ value: IECValue, to p: UnsafeMutablePointer<Int64>, type: STType, strings: StringTable) {
        switch type {
        case .bool: p.pointee = value.bool ? 1 : 0
        case .real, .lreal: p.pointee = Emit.bitsFromReal(value.real, type)
        case .time: p.pointee = value.time & 0xFFFF_FFFF
        case .ltime: p.pointee = value.time * 1_000_000
        case .string(let n): strings.items[Int(p.pointee)] = Builtins.limit(value.string, n)
        case .array(let element, let lo, let hi):
            guard case .array(let items) = value else { return }
            for (i, item) in items.prefix(hi - lo + 1).enumerated() {
                write(item, to: p + i * element.size, type: element, strings: strings)
            }
        default:
            if case .time(let ms) = value { p.pointee = type.normalise(ms) } else { p.pointee = type.normalise(value.int) }
        }
    }
}
