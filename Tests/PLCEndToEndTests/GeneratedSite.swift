import Foundation

/// A generated site of three locations over three days (2026-03-01 to 03-03), with readings every
/// five minutes, whose kWh per hour and per day the test knows independently of `plc report`:
/// - Office: counter in 0.1 kWh; 17 readings absent on 03-01 10:05-11:25 (no rows), and 8 rows
///   with empty cells across midnight 03-01 23:40 to 03-02 00:15;
/// - Production: counter in 0.1 kWh; the meter is reset at 03-02 11:55 (12:00 reads 0.x);
/// - Aircon: a whole-kWh counter (like the RX380) at a steady 3.6 kW.
struct GeneratedSite {
    /// One reading as written: seconds since 03-01 00:00, counter (nil: empty) and kW.
    struct Reading {
        var time: Int
        var counter: Double?
        var kw: Double?
        /// The counter was reset just before this reading.
        var reset = false
    }

    static let days = 3
    static let names = ["Aircon", "Office", "Production"]
    static let header = "timestamp,voltage_l12,voltage_l23,voltage_l31,voltage_l1,voltage_l2,voltage_l3,"
        + "current_l1,current_l2,current_l3,total_real_power,total_power_factor,frequency,total_real_energy\n"

    /// kW during hour `hour` (0-71 from the start) at `location`: multiples of 1.2 so that a
    /// five-minute step is a whole number of 0.1 kWh.
    static func kw(_ location: String, hour: Int) -> Double {
        let h = hour % 24
        switch location {
        case "Office": return (8..<18).contains(h) ? 12.0 + 1.2 * Double(h % 3) : 4.8
        case "Production": return 6.0 + 3.6 * Double(h % 5)
        default: return 3.6
        }
    }

    /// The readings of `location`, good or not, in time order.
    static func readings(_ location: String) -> [Reading] {
        var tenths = location == "Aircon" ? 1000 : 5000 + location.count * 7   // counter in 0.1 kWh
        var out: [Reading] = []
        for step in 0..<(days * 288) {
            let t = step * 300
            if step > 0 { tenths += Int((kw(location, hour: (t - 300) / 3600) * 10 / 12).rounded()) }
            var reading = Reading(time: t, counter: Double(tenths) / 10, kw: kw(location, hour: t / 3600))
            if location == "Aircon" { reading.counter = Double(tenths / 10) }
            if location == "Production" && t == 86_400 + 12 * 3600 {
                tenths = Int((kw(location, hour: 35) * 10 / 12).rounded())          // reset at 11:55
                reading.counter = Double(tenths) / 10
                reading.reset = true
            }
            if location == "Office" {
                if t > 10 * 3600 && t < 11 * 3600 + 1800 { continue }                 // no rows
                if t >= 23 * 3600 + 2400 && t <= 24 * 3600 + 900 {                    // empty cells
                    reading.counter = nil
                    reading.kw = nil
                }
            }
            out.append(reading)
        }
        return out
    }

    /// Writes the site under a new temporary folder; returns its path.
    static func write() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("plc-report-\(UUID().uuidString.prefix(8))")
        for name in names {
            let dir = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            var files: [Int: String] = [:]
            for r in readings(name) {
                let day = r.time / 86_400, s = r.time % 86_400
                let stamp = String(format: "2026-03-%02d %02d:%02d:%02d", day + 1, s / 3600, s / 60 % 60, s % 60)
                let counter = r.counter.map { name == "Aircon" ? String(Int($0)) : String(format: "%.1f", $0) } ?? ""
                let power = r.kw.map { String(format: "%.0f", $0 * 1000) } ?? ""
                let cells = r.kw == nil ? String(repeating: ",", count: 9) : "399.0,399.0,399.0,230.0,230.0,230.0,5.0,5.0,5.0,"
                files[day, default: header] += "\(stamp),\(cells)\(power),\(r.kw == nil ? "" : "0.95"),\(r.kw == nil ? "" : "50.00"),\(counter)\n"
            }
            for (day, text) in files {
                try text.write(to: dir.appendingPathComponent(String(format: "energy_2026-03-%02d.csv", day + 1)),
                               atomically: true, encoding: .utf8)
            }
        }
        return root.path
    }

    /// The kWh per hour (0-71) of `location` from its counter or its power, computed minute by
    /// minute: each delta between consecutive good readings is shared evenly among the minutes
    /// between them; the delta ending at a reset reading is unknown (0), as documented.
    static func expectedHours(_ location: String, power: Bool) -> [Double] {
        var hours = [Double](repeating: 0, count: days * 24)
        let good = readings(location).filter { power ? $0.kw != nil : $0.counter != nil }
        for (a, b) in zip(good, good.dropFirst()) {
            let delta: Double
            if power {
                delta = (a.kw! + b.kw!) / 2 * Double(b.time - a.time) / 3600
            } else {
                delta = b.reset ? 0 : b.counter! - a.counter!
            }
            let minutes = (b.time - a.time) / 60
            for m in 0..<minutes { hours[(a.time + m * 60) / 3600] += delta / Double(minutes) }
        }
        return hours
    }
}
