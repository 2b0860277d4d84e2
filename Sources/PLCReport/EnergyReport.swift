import PLCBlocks

/// kWh per location and period, the top location per hour of day, peak demand and data
/// quality: everything `plc report` prints, computed from a site's CSV files.
public struct EnergyReport: Sendable, Encodable {
    /// One location's figures over the whole range.
    public struct Location: Sendable, Encodable {
        public var name: String
        /// Where the period kWh come from.
        public var source: EnergySource
        /// kWh over the range (from `source`).
        public var kwh: Double
        /// Highest 30-minute average power (kW) and the local start of that half hour; half hours
        /// inside a gap longer than 30 minutes (estimates) do not count.
        public var peakKW: Double?
        public var peakAt: String?
        /// Good readings, the logging interval (s), and intervals without a reading between them.
        public var readings: Int
        public var intervalSeconds: Int64?
        public var missing: Int
        /// Counter readings rejected (spikes, drops), confirmed resets or meter swaps, wraps.
        public var rejected: Int
        public var resets: Int
        public var wraps: Int
        /// One step of the counter (kWh).
        public var resolution: Double
        /// kWh per hour of day (0-23) over the range.
        public var byHourOfDay: [Double]
    }

    /// One row of the period table.
    public struct Row: Sendable, Encodable, Equatable {
        public var period: String
        public var location: String
        public var kwh: Double
    }

    /// The location using the most energy in one hour of day, over the range.
    public struct TopHour: Sendable, Encodable {
        public var hour: Int
        public var location: String
        public var kwh: Double
        /// Its share of all locations' kWh in that hour, in percent.
        public var share: Double
    }

    public var by: ReportQuery.Period
    public var from: String?
    public var to: String?
    public var locations: [Location]
    /// Rows by period, then by location order; a location without data in a period has no row.
    public var rows: [Row]
    public var topByHour: [TopHour]

    /// Reads the site's files for `query`, one file at a time.
    public init(site: SiteFolder, query: ReportQuery) throws(ReportError) {
        self.init(try Self.energies(site: site, query: query), query: query)
    }

    /// Each location's half hours for `query`, read one file at a time.
    public static func energies(site: SiteFolder, query: ReportQuery) throws(ReportError) -> [LocationEnergy] {
        try energies(site: site, query: query, window: LocationEnergy.slotSeconds).halfHours
    }

    /// The report of locations already accumulated.
    public init(_ energies: [LocationEnergy], query: ReportQuery) {
        by = query.by
        from = query.from.map(LocalTime.dateText)
        to = query.to.map(LocalTime.dateText)
        var periods: [String: [Int: Double]] = [:]
        locations = []
        for (index, energy) in energies.enumerated() {
            let source = energy.source(binSlots: query.by.slots)
            let slots = energy.slots(source)
            for (slot, kwh) in slots { periods[query.label(slot: slot), default: [:]][index, default: 0] += kwh }
            let hourly = energy.slots(energy.source(binSlots: 2))
            var byHour = [Double](repeating: 0, count: 24)
            for (slot, kwh) in hourly { byHour[Int(EnergySegment.floorDiv(slot, 2) % 24 + 24) % 24] += kwh }
            let half = energy.slots(energy.source(binSlots: 1))
            let peak = half.filter { !energy.estimated.contains($0.key) && !energy.repeated.contains($0.key) }.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }
            let peakLabel = peak.map { LocalTime.slotText($0.key) }
            locations.append(Location(
                name: energy.name, source: source, kwh: slots.values.reduce(0, +),
                peakKW: peak.map { $0.value * 2 }, peakAt: peakLabel,
                readings: energy.readings, intervalSeconds: energy.interval, missing: energy.missing,
                rejected: energy.rejected, resets: energy.steps, wraps: energy.wraps,
                resolution: energy.resolution, byHourOfDay: byHour))
        }
        rows = []
        topByHour = []
        finish(periods)
    }
}
