#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCBlocks

/// One location's energy in half-hour slots, from its readings in time order, and the
/// quality of those readings. The counter and the power integral are kept side by side.
public struct LocationEnergy: Sendable {
    /// Width of a slot in seconds: peak demand is billed on half hours, and hours, days and
    /// months are whole numbers of half hours.
    public static let slotSeconds: Int64 = 1800

    /// The location's name (its folder).
    public let name: String
    /// This accumulator's slot width (s): `slotSeconds`, or a demand window's width (900 for a
    /// 15-minute demand charge), the same rules spreading energy into narrower slots.
    public let width: Int64
    /// kWh per slot number (slot start = number x `width`, local time), from the counter.
    public private(set) var counterSlots: [Int64: Double] = [:]
    /// kWh per slot number, from the power readings.
    public private(set) var powerSlots: [Int64: Double] = [:]
    /// Slots that a gap longer than a slot spread energy into: estimates, left out of peak demand.
    public private(set) var estimated: Set<Int64> = []
    /// Slots that a backward clock step (the repeated hour when daylight saving time ends, NTP)
    /// covered twice: two real half hours under one label, left out of peak demand.
    public private(set) var repeated: Set<Int64> = []
    /// Readings with a counter or a power value, inside the range.
    public private(set) var readings = 0
    /// Counter readings rejected as spikes or drops, inside the range.
    public private(set) var rejected = 0
    /// Resets or meter swaps confirmed, inside the range.
    public private(set) var steps = 0
    /// Counter wraps, inside the range.
    public private(set) var wraps = 0
    /// The most decimal places a counter cell had: the counter counts 10^-decimals kWh.
    public private(set) var counterDecimals = 0
    /// Time (s) of the first and last good reading inside the range.
    public private(set) var first: Int64?, last: Int64?
    /// How often each gap between consecutive good readings (s) occurred, inside the range.
    public private(set) var gaps: [Int64: Int] = [:]

    private var counter: EnergyCounter
    private let range: Range<Int64>
    private var previousGood: Int64?
    /// The previous row's time and the last forward gap between rows (s).
    private var previousRow: Int64?, lastGap: Int64 = 0
    /// Seconds added to row times so that the counter sees time move forward across backward steps.
    private var shift: Int64 = 0
    /// The last backward step: the shifted time (ms) of the first row after it, and the shift before it.
    private var lastStep: (at: Int64, shiftBefore: Int64)?

    /// Accumulates the slots that fall in `range` (local seconds); `maxPower` (kW) rejects spikes.
    public init(name: String, range: Range<Int64>, maxPower: Double = 0, rollover: Double = 0, width: Int64 = slotSeconds) {
        self.name = name
        self.width = width
        self.range = range
        counter = EnergyCounter(maxPower: maxPower, rollover: rollover)
    }

    /// A location whose slots (of `width` seconds) and quality were added up elsewhere (by the
    /// database: `plc report --sql`).
    public init(name: String, range: Range<Int64>, counterSlots: [Int64: Double], powerSlots: [Int64: Double],
                estimated: Set<Int64>, readings: Int, rejected: Int, steps: Int, counterDecimals: Int, gaps: [Int64: Int],
                width: Int64 = slotSeconds) {
        self.init(name: name, range: range, width: width)
        self.counterSlots = counterSlots
        self.powerSlots = powerSlots
        self.estimated = estimated
        self.readings = readings
        self.rejected = rejected
        self.steps = steps
        self.counterDecimals = counterDecimals
        self.gaps = gaps
    }

    /// Adds another part of the same location, computed over a range of its own (`plc report
    /// --sql`'s months: their slots do not overlap); first and last readings are left as they are.
    public mutating func merge(_ other: LocationEnergy) {
        counterSlots.merge(other.counterSlots, uniquingKeysWith: +)
        powerSlots.merge(other.powerSlots, uniquingKeysWith: +)
        estimated.formUnion(other.estimated)
        repeated.formUnion(other.repeated)
        gaps.merge(other.gaps, uniquingKeysWith: +)
        readings += other.readings
        rejected += other.rejected
        steps += other.steps
        wraps += other.wraps
        counterDecimals = max(counterDecimals, other.counterDecimals)
    }

    /// Counts gaps between good readings (s) that no part counted (across the parts' edges).
    public mutating func addGaps(_ more: [Int64: Int]) {
        gaps.merge(more, uniquingKeysWith: +)
    }

    /// Takes the next row of the location's files.
    public mutating func add(_ row: EnergyCSV.Row) {
        if let previous = previousRow {
            if row.time > previous {
                lastGap = row.time - previous
            } else {
                // The clock went back: the rows go on in file order, one usual gap after the last.
                let before = shift
                shift += previous - row.time + max(lastGap, 1)
                lastStep = ((row.time + shift) * 1000, before)
                let lower = EnergySegment.floorDiv(row.time, width)
                let upper = EnergySegment.floorDiv(previous, width)
                for slot in lower...upper { repeated.insert(slot) }
            }
        }
        previousRow = row.time
        let ms = (row.time + shift) * 1000
        let inRange = range.contains(row.time)
        if let kwh = row.counter {
            counterDecimals = max(counterDecimals, row.counterDecimals)
            let step = counter.counter(kwh, at: ms)
            if inRange {
                switch step.event {
                case .rejected: rejected += 1
                case .stepped: steps += 1
                case .wrapped: wraps += 1
                default: break
                }
            }
            if let segment = step.segment { add(segment, power: false) }
        }
        if let kw = row.power, let segment = counter.power(kw, at: ms) {
            add(segment, power: true)
        }
        if (row.counter != nil || row.power != nil) && inRange {
            readings += 1
            if first == nil { first = row.time }
            last = row.time
            if let previous = previousGood, row.time > previous { gaps[row.time - previous, default: 0] += 1 }
            previousGood = row.time
        }
    }

    private mutating func add(_ segment: EnergySegment, power: Bool) {
        // Back to the rows' own (local) times. A segment across a backward step goes on from the
        // row before the step (the first 01:55 to 02:00 of the repeated hour, not 00:55 to 01:00).
        var segment = segment
        if let step = lastStep, segment.from < step.at {
            let from = segment.from - step.shiftBefore * 1000
            segment = EnergySegment(from: from, to: from + segment.to - segment.from, kwh: segment.kwh)
        } else {
            segment = EnergySegment(from: segment.from - shift * 1000, to: segment.to - shift * 1000, kwh: segment.kwh)
        }
        let lower = range.lowerBound / width, upper = range.upperBound / width
        let gap = segment.to - segment.from > width * 1000
        segment.split(width: width * 1000) { slot, kwh in
            guard slot >= lower && slot < upper else { return }
            if power { powerSlots[slot, default: 0] += kwh } else { counterSlots[slot, default: 0] += kwh }
            if gap { estimated.insert(slot) }
        }
    }

    /// One step of the counter in kWh.
    public var resolution: Double { pow(10, -Double(min(counterDecimals, 9))) }

    /// Which readings give the kWh of bins `binSlots` slots wide: the counter, unless the
    /// location has power readings and one step of its counter exceeds 2 % of its mean kWh per
    /// bin (a whole-kWh counter, the RX380's, for hours); then the power integral.
    public func source(binSlots: Int64) -> EnergySource {
        if counterSlots.isEmpty || powerSlots.isEmpty {
            return EnergySource.choose(counter: !counterSlots.isEmpty, power: !powerSlots.isEmpty, resolution: resolution, total: 0, bins: 0)
        }
        let bins = Set(counterSlots.keys.map { EnergySegment.floorDiv($0, binSlots) }).count
        return EnergySource.choose(counter: true, power: true, resolution: resolution,
                                   total: counterSlots.values.reduce(0, +), bins: bins)
    }

    /// The slots of `source`.
    public func slots(_ source: EnergySource) -> [Int64: Double] {
        source == .counter ? counterSlots : powerSlots
    }

    /// The logging interval (s): the most common gap between good readings.
    public var interval: Int64? { Self.interval(gaps) }

    /// Intervals with no good reading between the first and the last one.
    public var missing: Int { Self.missing(gaps) }

    /// The most common gap (s) of a histogram of gaps; the shorter one on a tie.
    public static func interval(_ gaps: [Int64: Int]) -> Int64? {
        gaps.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
    }

    /// Intervals without a reading, from a histogram of gaps between good readings.
    public static func missing(_ gaps: [Int64: Int]) -> Int {
        guard let interval = interval(gaps), interval > 0 else { return 0 }
        return gaps.reduce(0) { sum, gap in
            sum + gap.value * max(0, Int((Double(gap.key) / Double(interval)).rounded()) - 1)
        }
    }
}
