public import PLCCore

/// The block types this module contributes: the IEC standard blocks plus WallClockPulse, Scale and
/// ErrorLatch, everything that does no I/O.
public enum StandardBlocks {
    public static let types: [any FunctionBlock.Type] = [
        TON.self, TOF.self, TP.self, R_TRIG.self, F_TRIG.self, CTU.self, CTD.self, SR.self, RS.self,
        AND.self, OR.self, WallClockPulse.self, Scale.self, ErrorLatch.self, Hysteresis.self, Clamp.self, EnergyInterval.self,
    ]
}

extension BlockLibrary {
    /// A library of the standard blocks only.
    public static var standard: BlockLibrary { BlockLibrary(StandardBlocks.types) }
}
