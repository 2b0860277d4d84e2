import PLCCore
import PLCStorage

/// The JSON published on `<prefix>/<site>/<location>/state` after every poll.
///
/// `{"ts":"2026-11-27T14:55:00.123Z","quality":"good","voltage_l12":398.1,...,"units":{"voltage_l12":"V",...}}`:
/// values with their decimals, `null` for a value that is not good; `quality` is `good` or the reason.
public enum MqttState {
    public static func payload(wallClockMs: Int64, quality: String, columns: [String], units: [String],
                               cells: [String?]) -> String {
        var fields: [(String, String)] = [("ts", JSONText.string(isoUTC(wallClockMs))), ("quality", JSONText.string(quality))]
        for (i, column) in columns.enumerated() { fields.append((column, i < cells.count ? cells[i] ?? "null" : "null")) }
        fields.append(("units", JSONText.object(columns.enumerated().map { i, column in
            (column, JSONText.string(i < units.count ? units[i] : ""))
        })))
        return JSONText.object(fields)
    }

    /// `2026-11-27T14:55:00.123Z`
    public static func isoUTC(_ ms: Int64) -> String {
        let text = CivilTime.logTimestamp(ms)          // UTC: the offset is zero
        return text.prefix(10) + "T" + text.dropFirst(11).prefix(8) + "." + text.suffix(3) + "Z"
    }
}
