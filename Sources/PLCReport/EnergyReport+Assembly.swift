import PLCBlocks

extension EnergyReport {
    /// Fills `rows` (by period, then location order) and `topByHour` from the locations and the
    /// kWh per period label and location index.
    mutating func finish(_ periods: [String: [Int: Double]]) {
        rows = []
        for period in periods.keys.sorted() {
            for (index, kwh) in periods[period]!.sorted(by: { $0.key < $1.key }) {
                rows.append(Row(period: period, location: locations[index].name, kwh: kwh))
            }
        }
        topByHour = []
        for hour in 0..<24 {
            let total = locations.reduce(0) { $0 + $1.byHourOfDay[hour] }
            guard let top = locations.max(by: { $0.byHourOfDay[hour] < $1.byHourOfDay[hour] }), total > 0 else { continue }
            topByHour.append(TopHour(hour: hour, location: top.name, kwh: top.byHourOfDay[hour],
                                     share: top.byHourOfDay[hour] / total * 100))
        }
    }
}

extension LocalTime {
    /// The local start of 30-minute slot `slot`: `YYYY-MM-DD HH:MM`.
    public static func slotText(_ slot: Int64) -> String {
        let day = Int(EnergySegment.floorDiv(slot, 48)), minutes = Int(slot - Int64(day) * 48) * 30
        return dateText(day) + " " + pad(minutes / 60, 2) + ":" + pad(minutes % 60, 2)
    }
}
