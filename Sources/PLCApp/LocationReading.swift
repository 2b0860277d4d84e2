import PLCCore
import PLCGraph
import PLCStorage

/// One location as the runtime's per-location sinks read it (MQTT, the InfluxDB file): its block,
/// name and columns, and the pins of its reading (`xValid`, `tAge`, `alrValues`, ...).
struct LocationReading {
    let block: any FunctionBlock
    let name: String
    let columns: [String]
    let pins: (valid: Int, age: Int, values: Int, decimals: Int?, columnValid: Int?, status: Int)
    /// The reading's age at the last scan a sink looked at (`.max`: none yet).
    var lastAge: Int64 = .max

    var id: ObjectIdentifier { ObjectIdentifier(block as AnyObject) }

    /// The location sources (`LocationSource`, the best rank in `program`) among `blocks` (nil: every
    /// block) that `had` does not hold, named by their name pin or else their instance; a source
    /// without the reading's pins is left out. Call after a scan of theirs: names may be computed.
    static func new(in program: CompiledProgram, among blocks: Set<ObjectIdentifier>?,
                    had: some Sequence<LocationReading>) -> [LocationReading] {
        let had = Set(had.map(\.id))
        return program.bestLocationSources.compactMap { source in
            let block = source.instance.block, table = source.instance.interface
            let id = ObjectIdentifier(block as AnyObject)
            guard !had.contains(id), blocks?.contains(id) ?? true else { return nil }
            guard let valid = table.index(of: "xValid"), let age = table.index(of: "tAge"),
                  let values = table.index(of: "alrValues") else { return nil }
            let named = source.type.locationNamePin.flatMap { block.value(of: $0)?.string } ?? ""
            return LocationReading(block: block, name: named.isEmpty ? source.instance.name : named,
                                   columns: ValueColumns.names(block.value(of: "sColumns")?.string ?? ""),
                                   pins: (valid, age, values, table.index(of: "auiDecimals"), table.index(of: "axValid"),
                                          table.index(of: source.type.locationStatusPin) ?? valid))
        }
    }

    /// Each column's value as text (with its decimals, 3 by default), nil where the column has none:
    /// the reading is not `valid`, the value is missing, or the block marks the column not good.
    func cells(valid: Bool) -> [String?] {
        func items(_ pin: Int?) -> [IECValue] {
            guard let pin, case .array(let items) = block[pin: pin] else { return [] }
            return items
        }
        let values = items(pins.values).map(\.real), decimals = items(pins.decimals).map(\.real)
        let good = items(pins.columnValid).map(\.bool)
        return columns.indices.map { i in
            guard valid, i < values.count, i >= good.count || good[i] else { return nil }
            return ValueColumns.format(values[i], decimals: i < decimals.count ? Int(decimals[i]) : 3)
        }
    }
}
