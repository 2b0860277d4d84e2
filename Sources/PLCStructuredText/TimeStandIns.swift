/// What the SysTimeRtc stand-ins do: the real-time clock is the scan's wall-clock time
/// (`ScanContext.wallClock`, UTC) and its time zone offset, so tests stay deterministic.
enum TimeStandIns {
    /// The variable a VAR_IN_OUT parameter of `p` refers to, in the running call's frame.
    static func target(_ p: POUInfo, _ name: String) -> Int { p.variable(name)!.offset }

    static func highResGet(_ p: POUInfo) -> NativeStep {
        let ts = target(p, "pTimestamp")
        return NativeStep { env in
            env.f[0] = env.rtcResult
            guard env.rtcResult == 0 else { return }
            if let out = Pointer.slot(env.f[ts]) { out.pointee = env.context.wallClock }
        }
    }

    static func get(_ p: POUInfo) -> NativeStep {
        let result = target(p, "pResult")
        return NativeStep { env in
            if let out = Pointer.slot(env.f[result]) { out.pointee = 0 }
            env.f[0] = (env.context.wallClock / 1000) & 0xFFFF_FFFF
        }
    }

    static func utcToLocal(_ p: POUInfo) -> NativeStep {
        let utc = target(p, "dwTimestampUtc"), local = target(p, "pdwTimestampLocal")
        return NativeStep { env in
            if let out = Pointer.slot(env.f[local]) {
                out.pointee = (env.f[utc] + Int64(env.context.utcOffset)) & 0xFFFF_FFFF
            }
            env.f[0] = 0
        }
    }

    /// SysTimeRtcConvertHighResToLocal (`local`) and ...HighResToDate (UTC): a timestamp to SYSTIMEDATE.
    static func highResToDate(_ p: POUInfo, local: Bool) -> NativeStep {
        let ts = target(p, "pTimestamp"), date = target(p, "pDate")
        guard case .reference(.structure(let s)) = p.variable("pDate")!.type else { return NativeStep { _ in } }
        let fields = ["wYear", "wMonth", "wDay", "wHour", "wMinute", "wSecond", "wMilliseconds", "wDayOfWeek", "wYday"]
            .map { s.field($0)!.offset }
        return NativeStep { env in
            env.f[0] = env.rtcResult
            guard env.rtcResult == 0, let stamp = Pointer.slot(env.f[ts]), let out = Pointer.slot(env.f[date]) else { return }
            let ms = stamp.pointee + (local ? Int64(env.context.utcOffset) * 1000 : 0)
            let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
            let (y, m, d) = Format.civil(days)
            let inDay = ms - days * 86_400_000
            // wDayOfWeek: Monday 1 to Sunday 7; 1970-01-01 was a Thursday.
            let values: [Int64] = [y, m, d, inDay / 3_600_000, inDay / 60_000 % 60, inDay / 1000 % 60, inDay % 1000,
                                   (((days % 7) + 7) % 7 + 3) % 7 + 1, daysBefore(y, m, d) + 1]
            for (offset, value) in zip(fields, values) { out[offset] = value }
            env.f[0] = 0
        }
    }

    /// Days from 1 January of year `y` to (y, m, d).
    static func daysBefore(_ y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let cumulative: [Int64] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        return cumulative[Int(m - 1)] + (leap && m > 2 ? 1 : 0) + d - 1
    }
}
