/// Energy per interval of fixed width, kept open until the readings are known past its end.
struct IntervalBook: Sendable {
    /// One interval: its number (start = bin x width), counter and power energy in kWh.
    struct Entry: Sendable, Equatable {
        var bin: Int64
        var counter = 0.0
        var power = 0.0
    }

    /// The most intervals closed at once; older ones of a longer outage are dropped.
    static let maxPending = 1_000

    let width: Int64
    /// Open intervals, by ascending bin.
    private var open: [Entry] = []
    /// Closed intervals not yet handed out, oldest first.
    private var ready: [Entry] = []
    private var readyIndex = 0
    /// Every bin up to this one is closed.
    private var closedThrough: Int64?

    init(width: Int64) { self.width = width }

    /// Adds a segment's energy to the intervals it spans (counter or power); closed ones take nothing.
    mutating func add(_ segment: EnergySegment, power: Bool) {
        if closedThrough == nil { closedThrough = EnergySegment.floorDiv(segment.from, width) - 1 }
        let floor = closedThrough ?? .min
        segment.split(width: width) { bin, kwh in
            guard bin > floor else { return }
            let i = index(of: bin)
            if power { open[i].power += kwh } else { open[i].counter += kwh }
        }
    }

    /// Closes every interval that ends at or before `time`, including empty ones after the first.
    mutating func close(upTo time: Int64) {
        let last = EnergySegment.floorDiv(time, width) - 1
        guard let through = closedThrough, last > through else { return }
        var bin = max(through + 1, last - Int64(Self.maxPending) + 1)
        if readyIndex == ready.count { ready.removeAll(keepingCapacity: true); readyIndex = 0 }
        open.removeAll { $0.bin < bin }
        while bin <= last {
            if let first = open.first, first.bin == bin {
                ready.append(open.removeFirst())
            } else {
                ready.append(Entry(bin: bin))
            }
            bin += 1
        }
        open.removeAll { $0.bin <= last }
        closedThrough = last
    }

    /// The oldest closed interval not yet handed out.
    mutating func next() -> Entry? {
        guard readyIndex < ready.count else { return nil }
        readyIndex += 1
        return ready[readyIndex - 1]
    }

    private mutating func index(of bin: Int64) -> Int {
        if let i = open.lastIndex(where: { $0.bin <= bin }) {
            if open[i].bin == bin { return i }
            open.insert(Entry(bin: bin), at: i + 1)
            return i + 1
        }
        open.insert(Entry(bin: bin), at: 0)
        return 0
    }
}
