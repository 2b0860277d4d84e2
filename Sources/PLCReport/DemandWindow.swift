import PLCBlocks

/// The month's highest demand window: the highest average power over the slots of a location
/// accumulated at the window's width (`LocationEnergy.width`: 900 s or 1800 s).
public enum DemandWindow {
    /// Window widths a tariff may name, in minutes: the report's half hours, and quarter hours
    /// spread from the same readings by the same rules.
    public static let minutes: Set<Int> = [15, 30]

    /// Each month's highest window (`YYYY-MM` to the slot and its kWh) over the slots `inRange`
    /// accepts (slot numbers of `energy.width`). The finest source is used (the counter unless one
    /// step of it is too coarse for a window); windows estimated across a gap longer than the window
    /// and those of a repeated clock hour do not count. On a tie the earlier window wins.
    public static func monthlyPeaks(_ energy: LocationEnergy, inRange: (Int64) -> Bool) -> [String: (slot: Int64, kwh: Double)] {
        var peaks: [String: (slot: Int64, kwh: Double)] = [:]
        let perDay = 86_400 / energy.width
        for (slot, value) in energy.slots(energy.source(binSlots: 1)) where inRange(slot) {
            guard !energy.estimated.contains(slot), !energy.repeated.contains(slot) else { continue }
            let c = LocalTime.civil(Int(EnergySegment.floorDiv(slot, perDay)))
            let month = LocalTime.pad(c.year, 4) + "-" + LocalTime.pad(c.month, 2)
            if let best = peaks[month], best.kwh > value || best.kwh == value && best.slot < slot { continue }
            peaks[month] = (slot, value)
        }
        return peaks
    }

    /// `YYYY-MM-DD HH:MM`: the local start of slot `slot` of `width` seconds.
    public static func label(_ slot: Int64, width: Int64) -> String {
        let seconds = slot * width
        let day = Int(EnergySegment.floorDiv(seconds, 86_400)), minutes = Int(seconds - Int64(day) * 86_400) / 60
        return LocalTime.dateText(day) + " " + LocalTime.pad(minutes / 60, 2) + ":" + LocalTime.pad(minutes % 60, 2)
    }
}

extension EnergyReport {
    /// Each location's half hours for `query` and, when `window` (s) is not a half hour, the same
    /// readings in slots of `window` (same order; empty otherwise), reading each file once.
    public static func energies(site: SiteFolder, query: ReportQuery, window: Int64)
        throws(ReportError) -> (halfHours: [LocationEnergy], windows: [LocationEnergy]) {
        var halfHours: [LocationEnergy] = [], windows: [LocationEnergy] = []
        let narrower = window != LocationEnergy.slotSeconds
        for location in site.locations {
            var energy = LocationEnergy(name: location.name, range: query.range, maxPower: query.maxPower)
            var windowed = LocationEnergy(name: location.name, range: query.range, maxPower: query.maxPower, width: window)
            for file in SiteFolder.files(location.files, for: query) {
                try EnergyCSV.read(file.path) { row in
                    energy.add(row)
                    if narrower { windowed.add(row) }
                }
            }
            halfHours.append(energy)
            if narrower { windows.append(windowed) }
        }
        return (halfHours, windows)
    }
}

extension Tariff {
    /// The demand window's width in seconds (the report's half hour without a demand charge).
    public var demandWindowSeconds: Int64 { Int64(demand?.windowMinutes ?? 30) * 60 }
}
