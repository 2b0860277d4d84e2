/// Energy per interval of fixed width, kept open until the readings are known past its end,
/// in a ring of 64 intervals (no allocation; the ST twin keeps the same ring).
///
/// Intervals `emitNext ... closedThrough` are closed and wait to be handed out one per scan;
/// later ones are open. At most 64 intervals wait: a gap longer than that keeps its last 64.
struct IntervalBook: Sendable {
    /// One interval: its number (start = bin x width), counter and power energy in kWh.
    struct Entry: Sendable, Equatable {
        var bin: Int64
        var counter = 0.0
        var power = 0.0
    }

    static let capacity: Int64 = 64

    let width: Int64
    private var counter = [Double](repeating: 0, count: Int(capacity))
    private var power = [Double](repeating: 0, count: Int(capacity))
    private var started = false
    /// The next interval to hand out.
    private var emitNext: Int64 = 0
    /// Every interval up to this one is closed.
    private var closedThrough: Int64 = 0

    init(width: Int64) { self.width = width }

    /// Adds a segment's energy to the intervals it spans (counter or power); closed ones take nothing.
    mutating func add(_ segment: EnergySegment, power isPower: Bool) {
        if !started {
            started = true
            closedThrough = EnergySegment.floorDiv(segment.from, width) - 1
            emitNext = closedThrough + 1
        }
        let lastBin = EnergySegment.floorDiv(segment.to - 1, width)
        if lastBin >= emitNext + Self.capacity { advance(to: lastBin - Self.capacity + 1) }
        segment.split(width: width) { bin, kwh in
            guard bin > closedThrough, bin >= emitNext, bin < emitNext + Self.capacity else { return }
            let slot = Self.slot(bin)
            if isPower { power[slot] += kwh } else { counter[slot] += kwh }
        }
    }

    /// Closes every interval that ends at or before `time`, including empty ones.
    mutating func close(upTo time: Int64) {
        guard started else { return }
        let last = EnergySegment.floorDiv(time, width) - 1
        if last >= emitNext + Self.capacity { advance(to: last - Self.capacity + 1) }
        if last > closedThrough { closedThrough = last }
    }

    /// The oldest closed interval not yet handed out.
    mutating func next() -> Entry? {
        guard started, emitNext <= closedThrough else { return nil }
        let slot = Self.slot(emitNext)
        let entry = Entry(bin: emitNext, counter: counter[slot], power: power[slot])
        counter[slot] = 0
        power[slot] = 0
        emitNext += 1
        return entry
    }

    private static func slot(_ bin: Int64) -> Int { Int((bin % capacity + capacity) % capacity) }

    /// Drops the intervals before `start` without handing them out.
    private mutating func advance(to start: Int64) {
        var bin = emitNext
        while bin < start && bin < emitNext + Self.capacity {
            let slot = Self.slot(bin)
            counter[slot] = 0
            power[slot] = 0
            bin += 1
        }
        emitNext = start
        closedThrough = max(closedThrough, start - 1)
    }
}
