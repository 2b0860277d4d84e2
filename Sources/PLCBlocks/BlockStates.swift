import PLCCore

/// A timer whose hidden state is a flag and the scan time it started at (TON, TOF, TP).
protocol TimerState: StatefulBlock {
    var flag: Bool { get set }
    var start: Int64 { get set }
}

extension TimerState {
    public static var hiddenState: [VarDecl] { [VarDecl(.local, "flag", .bool), VarDecl(.local, "elapsed", .time)] }

    public func saveState(now: Int64, into words: UnsafeMutablePointer<Int64>) {
        words[0] = Self.word(flag)
        words[1] = now - start
    }

    public func restoreState(now: Int64, from words: UnsafePointer<Int64>) {
        flag = words[0] != 0
        start = now - words[1]
    }
}

/// A block whose hidden state is the previous value of its edge input (CTU, CTD, R_TRIG, F_TRIG).
protocol MemoryState: StatefulBlock {
    var memory: Bool { get set }
}

extension MemoryState {
    public static var hiddenState: [VarDecl] { [VarDecl(.local, "memory", .bool)] }

    public func saveState(now: Int64, into words: UnsafeMutablePointer<Int64>) {
        words[0] = Self.word(memory)
    }

    public func restoreState(now: Int64, from words: UnsafePointer<Int64>) {
        memory = words[0] != 0
    }
}
