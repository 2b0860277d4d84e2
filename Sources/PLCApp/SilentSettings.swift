public import PLCCore
public import PLCGraph

/// Settings that would make a program do nothing without saying so (`LogInterval=T#0s`: no row,
/// ever), rejected before the program runs, by `plc check` and `plc run`.
public enum SilentSettings {
    /// Every WallClockPulse whose `tInterval` comes from a constant or a program variable that is not > 0.
    public static func check(_ file: ProgramFile, _ program: CompiledProgram) -> [SourceError] {
        var errors: [SourceError] = []
        for instance in file.instances where instance.type == "WallClockPulse" {
            for wire in instance.inputs where wire.pin == "tInterval" {
                var ms: Int64?
                var what = ""
                switch wire.source {
                case .name(let name):
                    if case .time(let value)? = program.value(of: name) { ms = value }
                    what = name
                case .literal(let text):
                    ms = try? IECLiteral.parseTime(text)
                    what = text
                case .pin:
                    continue                        // computed at run time
                }
                guard let ms, ms <= 0 else { continue }
                errors.append(SourceError(file: file.path, line: wire.line,
                    "\(instance.name).tInterval: \(what) is T#\(ms)ms; it must be more than T#0s (the block would never pulse)"))
            }
        }
        return errors
    }
}
