import PLCCore
public import PLCGraph
import Synchronization

/// A fixed number of the newest values, oldest overwritten: storage allocated once, never grown.
struct TrendRing: Sendable {
    private var storage: [Float]
    private var next = 0
    private(set) var count = 0

    init(capacity: Int) { storage = [Float](repeating: .nan, count: max(capacity, 1)) }

    var capacity: Int { storage.count }

    /// Adds `value`, dropping the oldest when full; writes in place.
    mutating func push(_ value: Float) {
        storage[next] = value
        next = (next + 1) % storage.count
        count = min(count + 1, storage.count)
    }

    /// The values, oldest first.
    var values: [Float] {
        (0..<count).map { storage[(next - count + $0 + storage.count) % storage.count] }
    }
}

/// Each location's power over the last hour (a point every 10 s) and the last 24 hours (the mean
/// of every 5 minutes), kept by the scan thread in fixed rings for the Live page's trend charts.
public final class TrendRecorder: Sendable {
    /// One location's rings and where its power comes from.
    struct Series: Sendable {
        let name: String
        /// Paths of the Display-like block's pins.
        let values: String, columns: String, units: String, valid: String
        /// The value and validity pins' storage when the block has pin wrappers: a point reads
        /// them in place, without allocating; nil: by path.
        let valuesPin: PinRef?, validPin: PinRef?
        /// The power column's index and its factor to kW, once the columns are known.
        var column: (index: Int, toKW: Float)?
        var hour: TrendRing
        var day: TrendRing
        /// The 10-s samples of the current 5 minutes.
        var sum: Float = 0, samples = 0
    }

    struct State: Sendable {
        var series: [Series]
        var lastSample = Int64.min / 2
        var steps = 0
    }

    /// Seconds between two points of the last hour, and points per point of the last 24 hours.
    public static let stepSeconds = 10
    static let stepsPerDayPoint = 30
    static let hourPoints = 3600 / stepSeconds
    static let dayPoints = 86_400 / (stepSeconds * stepsPerDayPoint)

    private let state: Mutex<State>

    /// Rings for `locations` (instance, pin path of its title); names are read from the titles once.
    public init(program: CompiledProgram, locations: [(instance: String, title: String?)]) {
        state = Mutex(State(series: locations.map { location in
            let title = location.title.flatMap { program.value(of: $0)?.string } ?? ""
            let instance = program.instances.first { $0.name.uppercased() == location.instance.uppercased() }
            let pin = { (name: String) -> PinRef? in
                guard let instance, !instance.pins.isEmpty, let i = instance.interface.index(of: name) else { return nil }
                return instance.pins[i]
            }
            return Series(name: title.isEmpty ? location.instance : title, values: location.instance + ".alrValues",
                          columns: location.instance + ".sColumns", units: location.instance + ".sUnits",
                          valid: location.instance + ".xValid", valuesPin: pin("alrValues"), validPin: pin("xValid"), column: nil,
                          hour: TrendRing(capacity: Self.hourPoints), day: TrendRing(capacity: Self.dayPoints))
        }))
    }

    /// The rings' storage in bytes (fixed from the start).
    public var bytes: Int {
        state.withLock { $0.series.count * (Self.hourPoints + Self.dayPoints) * MemoryLayout<Float>.stride }
    }

    /// Scan thread, after a scan: takes a point when 10 s have passed since the last one. Between
    /// points this is one comparison; a point reads each location's power pin in place (no allocation).
    public func sample(program: CompiledProgram, now: Int64) {
        state.withLock { s in
            guard now - s.lastSample >= Int64(Self.stepSeconds) * 1_000_000_000 else { return }
            s.lastSample = now
            s.steps += 1
            for i in s.series.indices { Self.sample(&s.series[i], program: program, closeDayPoint: s.steps % Self.stepsPerDayPoint == 0) }
        }
    }

    private static func sample(_ series: inout Series, program: CompiledProgram, closeDayPoint: Bool) {
        if series.column == nil { series.column = powerColumn(program.value(of: series.columns)?.string ?? "", program.value(of: series.units)?.string ?? "") }
        var kw = Float.nan
        let valid = series.validPin.map { $0.load().bool } ?? (program.value(of: series.valid)?.bool == true)
        if let column = series.column, valid {
            if let pin = series.valuesPin {
                if column.index < pin.decl.type.valueCount { kw = Float(pin.loadElement(column.index).real) * column.toKW }
            } else if case .array(let items)? = program.value(of: series.values), column.index < items.count {
                kw = Float(items[column.index].real) * column.toKW
            }
        }
        series.hour.push(kw)
        if kw.isFinite {
            series.sum += kw
            series.samples += 1
        }
        if closeDayPoint {
            series.day.push(series.samples > 0 ? series.sum / Float(series.samples) : .nan)
            series.sum = 0
            series.samples = 0
        }
    }

    /// The real power column (`total_real_power`, else the first `*power*` that is no factor) and its factor to kW.
    static func powerColumn(_ columns: String, _ units: String) -> (index: Int, toKW: Float)? {
        let names = columns.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces().lowercased() }
        let unitList = units.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        let candidates = names.indices.filter { names[$0].contains("power") && !names[$0].contains("factor") }
        guard let index = candidates.first(where: { names[$0] == "total_real_power" }) ?? candidates.first(where: { names[$0].contains("real") })
                ?? candidates.first else { return nil }
        let unit = index < unitList.count ? unitList[index] : ""
        return (index, unit == "W" ? 0.001 : unit == "MW" ? 1000 : 1)
    }

    /// The Live page's trend section: per location, the last hour and the last 24 hours.
    func html() -> String {
        let all = series()
        guard !all.isEmpty else { return "" }
        var out = "<section id=\"trend\"><h2>Power trend</h2>"
        for s in all {
            out += "<h3>\(HTML.escape(s.name))</h3>"
                + SVGChart.trend(s.hour, capacity: Self.hourPoints, span: "1 h", location: s.name, unit: "kW")
                + SVGChart.trend(s.day, capacity: Self.dayPoints, span: "24 h", location: s.name, unit: "kW")
        }
        return out + "<p class=\"muted small\">a point every \(Self.stepSeconds) s (1 h), the mean of every \(Self.stepSeconds * Self.stepsPerDayPoint / 60) min (24 h)</p></section>"
    }

    /// Each location's last hour and last 24 hours, oldest first, NaN where there was no good value.
    func series() -> [(name: String, hour: [Float], day: [Float])] {
        state.withLock { s in s.series.map { ($0.name, $0.hour.values, $0.day.values) } }
    }
}
