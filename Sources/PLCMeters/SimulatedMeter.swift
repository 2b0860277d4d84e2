#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore
import Synchronization
public import PLCModbus

/// A meter of any model, simulated from its model file: live-looking three-phase values encoded
/// with the model's formats, and energy counters that integrate the simulated power over time.
///
/// Values are a function of the elapsed time and the slave address (each meter on a bus draws
/// a different load); the counters are state: they rise by the integral of the real power
/// (import when positive, export when negative), and restart from zero on `resetCounters`.
public final class SimulatedMeter: SimulatedDevice, Sendable {
    public let model: MeterModel
    public let slave: Int
    /// The energy counters (Wh) and the time (s) they are integrated up to.
    private struct Counters {
        var integratedUntil = 0.0
        var importWh: Double
        var exportWh: Double
    }
    private let counters: Mutex<Counters>

    public init(model: MeterModel, slave: Int) {
        self.model = model
        self.slave = slave
        counters = Mutex(Counters(importWh: Double(12_345 + 1_000 * slave) * 1000,
                                  exportWh: Double(321 + 10 * slave) * 1000))
    }

    /// The simulated quantities at `t` seconds, by value name, in engineering units.
    public func quantities(at t: Double) -> [String: Double] {
        let tau = 2 * Double.pi
        let s = Double(slave)
        // One minute of every five the site exports (solar): power and power factor go negative.
        let sign: Double = t.truncatingRemainder(dividingBy: 300) >= 240 ? -1 : 1
        var q: [String: Double] = [:]
        var ln: [Double] = [], amps: [Double] = []
        for i in 0..<3 {
            let phase = Double(i) * 2.1 + s
            ln.append(230 + 2.5 * sin(tau * t / 97 + phase) + 0.8 * sin(tau * t / 13 + Double(i)))
            amps.append((4 + 3 * s) * (1 + 0.6 * sin(tau * t / 180 + Double(i) + s)))
        }
        let pf = sign * (0.93 + 0.04 * sin(tau * t / 61 + s))
        let names = ["l1", "l2", "l3"], pairs = ["l12", "l23", "l31"]
        var real = 0.0, apparent = 0.0
        for i in 0..<3 {
            q["voltage_" + names[i]] = ln[i]
            q["voltage_" + pairs[i]] = (ln[i] + ln[(i + 1) % 3]) / 2 * 3.0.squareRoot()
            q["current_" + names[i]] = amps[i]
            q["real_power_" + names[i]] = ln[i] * amps[i] * pf
            q["max_voltage_" + pairs[i]] = 415.3 + Double(i) * 0.7
            q["min_voltage_" + pairs[i]] = 388.1 + Double(i) * 0.5
            real += ln[i] * amps[i] * pf
            apparent += ln[i] * amps[i]
        }
        q["current_n"] = abs(amps[0] - amps[1])
        q["total_real_power"] = real
        q["total_apparent_power"] = apparent
        q["total_reactive_power"] = (apparent * apparent - real * real).squareRoot()
        q["total_power_factor"] = pf
        q["frequency"] = 50 + 0.04 * sin(tau * t / 41)
        return q
    }

    /// The counters at `t`: the real power integrated from the last reading (never backwards).
    private func advance(to t: Double) -> (importWh: Double, exportWh: Double) {
        counters.withLock { c in
            if t > c.integratedUntil {
                let steps = max(1, Int(((t - c.integratedUntil) / 1).rounded(.up)).clamped(to: 1...10_000))
                let dt = (t - c.integratedUntil) / Double(steps)
                for k in 1...steps {
                    let p = quantities(at: c.integratedUntil + Double(k) * dt)["total_real_power"] ?? 0
                    if p >= 0 { c.importWh += p * dt / 3600 } else { c.exportWh -= p * dt / 3600 }
                }
                c.integratedUntil = t
            }
            return (c.importWh, c.exportWh)
        }
    }

    public func resetCounters() {
        counters.withLock {
            $0.importWh = 0
            $0.exportWh = 0
        }
    }

    public func read(function: UInt8, address: Int, count: Int, seconds: Double) -> Result<[UInt16], SimulatedException> {
        guard model.functions.contains(function) else { return .failure(.illegalFunction) }
        guard model.answers(address: address, count: count) else { return .failure(.illegalAddress) }
        var q = quantities(at: seconds)
        let counters = advance(to: seconds)
        q["total_real_energy"] = counters.importWh / 1000
        q["export_real_energy"] = counters.exportWh / 1000
        q["total_energy"] = (counters.importWh + counters.exportWh) / 1000
        q["apparent_energy"] = counters.importWh / 1000 * 1.08
        q["reactive_energy"] = counters.importWh / 1000 * 0.3
        q["negative_reactive_energy"] = counters.exportWh / 1000 * 0.3
        var words = [UInt16](repeating: 0, count: count)
        let wanted = address...(address + count - 1)
        for value in model.values where value.registers.overlaps(wanted) {
            for (i, word) in value.encode(q[value.name] ?? 0).enumerated() where wanted.contains(value.address + i) {
                words[value.address + i - address] = word
            }
        }
        return .success(words)
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
