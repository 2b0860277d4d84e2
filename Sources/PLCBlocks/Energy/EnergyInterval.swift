public import PLCCore

/// Energy per interval from a cumulative kWh counter and from power, robust to what real
/// counters do (see `EnergyCounter`): resets and meter swaps, 32-bit wrap, spikes, gaps.
///
/// Each scan with `xCounterValid` (or `xPowerValid`) TRUE is one reading at the scan's local
/// wall-clock time. Intervals lie on local wall-clock multiples of `tInterval` (T#1h: hours,
/// T#24h: local days). An interval closes once the counter is known past its end (the last
/// accepted reading is at or after it), so a gap's delta is spread over the intervals it
/// spans before they are reported; a block that never had a counter reading closes on power.
/// Closed intervals come out one per scan: `xDone` TRUE, `tStart` the interval's start (local
/// time of day), `lrEnergy` from the counter, `lrPowerEnergy` integrated from power. The first
/// interval is partial (it starts at the first reading); power that arrives for an interval
/// already closed is dropped.
public final class EnergyInterval: FunctionBlock {
    public static let summary = "kWh per interval from an energy counter and power."

    @Input("cumulative energy counter, kWh") public var lrCounter = 0.0
    @Input("TRUE: lrCounter is a good reading taken this scan") public var xCounterValid = false
    @Input("total real power, kW") public var lrPower = 0.0
    @Input("TRUE: lrPower is a good reading taken this scan") public var xPowerValid = false
    @Input(.time, "interval length, on local wall-clock multiples") public var tInterval: Int64 = 3_600_000
    @Input("the meter's maximum power, kW: a faster rise is a spike (0: no check)") public var lrMaxPower = 0.0
    @Input("counter value that wraps to 0, kWh (0: never)") public var lrRollover = 0.0
    @Input("one step of the counter, kWh") public var lrResolution = 0.0
    @Output("TRUE for one scan per closed interval") public var xDone = false
    @Output(.time, "local time of day when the closed interval started") public var tStart: Int64 = 0
    @Output("kWh of the closed interval, from the counter") public var lrEnergy = 0.0
    @Output("kWh of the closed interval, integrated from power") public var lrPowerEnergy = 0.0
    @Output("TRUE: this scan's counter reading was a drop or a spike, not counted") public var xRejected = false
    @Output("TRUE: a reset or meter swap was confirmed this scan") public var xStepped = false
    @Output("TRUE: the counter wrapped at lrRollover this scan") public var xWrapped = false
    @Output("readings rejected since start") public var udiRejected: UInt32 = 0
    @exclusivity(unchecked) private var intervals = IntervalBook(width: 3_600_000)
    @exclusivity(unchecked) private var counter = EnergyCounter()

    public init() {}

    public func execute(_ context: ScanContext) {
        xDone = false
        xRejected = false
        xStepped = false
        xWrapped = false
        if tInterval != intervals.width {
            // A new length is a new grid; readings stay valid, open intervals restart.
            intervals = IntervalBook(width: max(tInterval, 1))
        }
        counter.maxPower = lrMaxPower
        counter.rollover = lrRollover
        counter.resolution = lrResolution
        let now = context.localTime
        if xCounterValid {
            let step = counter.counter(lrCounter, at: now)
            switch step.event {
            case .rejected: xRejected = true; udiRejected = udiRejected &+ 1
            case .stepped: xStepped = true
            case .wrapped: xWrapped = true
            default: break
            }
            if let segment = step.segment { intervals.add(segment, power: false) }
        }
        if xPowerValid, let segment = counter.power(lrPower, at: now) {
            intervals.add(segment, power: true)
        }
        if let known = counter.baseline?.time ?? counter.lastPower?.time {
            intervals.close(upTo: known)
        }
        if let closed = intervals.next() {
            xDone = true
            tStart = ((closed.bin * intervals.width) % 86_400_000 + 86_400_000) % 86_400_000
            lrEnergy = closed.counter
            lrPowerEnergy = closed.power
        }
    }
}
