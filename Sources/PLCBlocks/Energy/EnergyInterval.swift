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
    public static let interface = VarTable("EnergyInterval", summary: "kWh per interval from an energy counter and power.", [
        .input("lrCounter", .lreal, nil, "cumulative energy counter, kWh"),
        .input("xCounterValid", .bool, nil, "TRUE: lrCounter is a good reading taken this scan"),
        .input("lrPower", .lreal, nil, "total real power, kW"),
        .input("xPowerValid", .bool, nil, "TRUE: lrPower is a good reading taken this scan"),
        .input("tInterval", .time, .time(3_600_000), "interval length, on local wall-clock multiples"),
        .input("lrMaxPower", .lreal, nil, "the meter's maximum power, kW: a faster rise is a spike (0: no check)"),
        .input("lrRollover", .lreal, nil, "counter value that wraps to 0, kWh (0: never)"),
        .input("lrResolution", .lreal, nil, "one step of the counter, kWh"),
        .output("xDone", .bool, nil, "TRUE for one scan per closed interval"),
        .output("tStart", .time, nil, "local time of day when the closed interval started"),
        .output("lrEnergy", .lreal, nil, "kWh of the closed interval, from the counter"),
        .output("lrPowerEnergy", .lreal, nil, "kWh of the closed interval, integrated from power"),
        .output("xRejected", .bool, nil, "TRUE: this scan's counter reading was a drop or a spike, not counted"),
        .output("xStepped", .bool, nil, "TRUE: a reset or meter swap was confirmed this scan"),
        .output("xWrapped", .bool, nil, "TRUE: the counter wrapped at lrRollover this scan"),
        .output("udiRejected", .udint, nil, "readings rejected since start"),
    ])

    @exclusivity(unchecked) public var lrCounter = 0.0
    @exclusivity(unchecked) public var xCounterValid = false
    @exclusivity(unchecked) public var lrPower = 0.0
    @exclusivity(unchecked) public var xPowerValid = false
    @exclusivity(unchecked) public var tInterval: Int64 = 3_600_000
    @exclusivity(unchecked) public var lrMaxPower = 0.0
    @exclusivity(unchecked) public var lrRollover = 0.0
    @exclusivity(unchecked) public var lrResolution = 0.0
    @exclusivity(unchecked) public var xDone = false
    @exclusivity(unchecked) public var tStart: Int64 = 0
    @exclusivity(unchecked) public var lrEnergy = 0.0
    @exclusivity(unchecked) public var lrPowerEnergy = 0.0
    @exclusivity(unchecked) public var xRejected = false
    @exclusivity(unchecked) public var xStepped = false
    @exclusivity(unchecked) public var xWrapped = false
    @exclusivity(unchecked) public var udiRejected: UInt32 = 0
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

    public subscript(pin pin: Int) -> IECValue {
        get {
            switch pin {
            case 0: .real(lrCounter)
            case 1: .bool(xCounterValid)
            case 2: .real(lrPower)
            case 3: .bool(xPowerValid)
            case 4: .time(tInterval)
            case 5: .real(lrMaxPower)
            case 6: .real(lrRollover)
            case 7: .real(lrResolution)
            case 8: .bool(xDone)
            case 9: .time(tStart)
            case 10: .real(lrEnergy)
            case 11: .real(lrPowerEnergy)
            case 12: .bool(xRejected)
            case 13: .bool(xStepped)
            case 14: .bool(xWrapped)
            default: .int(Int64(udiRejected))
            }
        }
        set {
            switch pin {
            case 0: lrCounter = newValue.real
            case 1: xCounterValid = newValue.bool
            case 2: lrPower = newValue.real
            case 3: xPowerValid = newValue.bool
            case 4: tInterval = newValue.time
            case 5: lrMaxPower = newValue.real
            case 6: lrRollover = newValue.real
            case 7: lrResolution = newValue.real
            case 8: xDone = newValue.bool
            case 9: tStart = newValue.time
            case 10: lrEnergy = newValue.real
            case 11: lrPowerEnergy = newValue.real
            case 12: xRejected = newValue.bool
            case 13: xStepped = newValue.bool
            case 14: xWrapped = newValue.bool
            default: udiRejected = UInt32(truncatingIfNeeded: newValue.int)
            }
        }
    }
}
