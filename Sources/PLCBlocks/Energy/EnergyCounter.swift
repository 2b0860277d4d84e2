/// Turns readings of a cumulative kWh counter, and of power, into energy segments.
///
/// The algorithm shared by the `EnergyInterval` block and `plc report`:
/// - the counter delta between two accepted readings is one segment over the time between
///   them (a gap is spread linearly over its length);
/// - a reading that is implausible against the last accepted one (the counter dropped, or
///   rose faster than `maxPower` allows) is rejected, counted nowhere, and kept as *suspect*;
///   the next reading decides: plausible against the last accepted one, the suspect was a
///   glitch (spike); plausible against the suspect, the counter really stepped (reset or meter
///   swap) and counting restarts from the suspect, the energy across the step being unknown;
/// - a drop that a wrap of the counter at `rollover` (a 32-bit register) explains is a wrap,
///   and the delta across it counts;
/// - power readings (kW) integrate by the trapezoid rule between consecutive readings, which
///   covers a counter too coarse for the interval (the RX380 counts whole kWh).
public struct EnergyCounter: Sendable {
    /// What the last counter reading did.
    public enum Event: Sendable, Equatable {
        /// The first reading: the baseline, no energy yet.
        case first
        /// A plausible reading: its delta is counted.
        case counted
        /// The counter wrapped at `rollover`; the delta across the wrap is counted.
        case wrapped
        /// Implausible (a drop or a spike): rejected, kept as suspect, not counted.
        case rejected
        /// The previous reading's suspect value was confirmed: a reset or meter swap.
        case stepped
        /// The time did not advance: ignored.
        case ignored
    }

    /// What one counter reading produced.
    public struct Step: Sendable, Equatable {
        /// The event.
        public var event: Event
        /// The energy counted by this reading, or nil.
        public var segment: EnergySegment?

        public init(event: Event, segment: EnergySegment? = nil) {
            self.event = event
            self.segment = segment
        }
    }

    /// The meter's maximum power in kW: a faster rise is a spike. 0 disables the check.
    public var maxPower: Double
    /// The value at which the counter wraps to 0 (kWh), e.g. 2^32 x the register's factor; 0: never.
    public var rollover: Double
    /// One step of the counter in kWh (the tolerance of the spike check), e.g. 1 for the RX380.
    public var resolution: Double

    /// The last accepted counter reading: (time in ms, kWh).
    public private(set) var baseline: (time: Int64, kwh: Double)?
    /// A rejected reading waiting for the next one to tell a glitch from a reset.
    public private(set) var suspect: (time: Int64, kwh: Double)?
    /// The last power reading: (time in ms, kW).
    public private(set) var lastPower: (time: Int64, kw: Double)?

    public init(maxPower: Double = 0, rollover: Double = 0, resolution: Double = 0) {
        self.maxPower = maxPower
        self.rollover = rollover
        self.resolution = resolution
    }

    /// True when a rise of `delta` kWh in `ms` milliseconds is possible for this meter.
    public func plausible(_ delta: Double, over ms: Int64) -> Bool {
        delta >= 0 && (maxPower <= 0 || delta <= maxPower * Double(ms) / 3_600_000 + resolution + 1e-9)
    }

    /// Takes one good counter reading `kwh` at `time` (ms).
    public mutating func counter(_ kwh: Double, at time: Int64) -> Step {
        guard let base = baseline else {
            baseline = (time, kwh)
            return Step(event: .first)
        }
        guard time > base.time else { return Step(event: .ignored) }
        let dt = time - base.time
        let delta = kwh - base.kwh
        if plausible(delta, over: dt) {
            return accept(kwh, at: time, from: base.time, delta, .counted)
        }
        if rollover > 0, delta < 0, base.kwh >= rollover / 2, kwh < rollover / 2,
           plausible(delta + rollover, over: dt) {
            return accept(kwh, at: time, from: base.time, delta + rollover, .wrapped)
        }
        if let s = suspect, time > s.time, plausible(kwh - s.kwh, over: time - s.time) {
            return accept(kwh, at: time, from: s.time, kwh - s.kwh, .stepped)
        }
        suspect = (time, kwh)
        return Step(event: .rejected)
    }

    private mutating func accept(_ kwh: Double, at time: Int64, from start: Int64, _ delta: Double,
                                 _ event: Event) -> Step {
        baseline = (time, kwh)
        suspect = nil
        return Step(event: event, segment: EnergySegment(from: start, to: time, kwh: delta))
    }

    /// Takes one good power reading `kw` at `time` (ms); returns the energy since the previous
    /// one, or nil (the first reading, a time that did not advance, or a power above `maxPower`).
    public mutating func power(_ kw: Double, at time: Int64) -> EnergySegment? {
        if maxPower > 0 && abs(kw) > maxPower { return nil }
        defer { if lastPower.map({ time > $0.time }) ?? true { lastPower = (time, kw) } }
        guard let last = lastPower, time > last.time else { return nil }
        return EnergySegment(from: last.time, to: time, kwh: (last.kw + kw) / 2 * Double(time - last.time) / 3_600_000)
    }
}
