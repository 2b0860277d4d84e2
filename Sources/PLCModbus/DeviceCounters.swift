/// Per-device traffic counters a bus worker keeps.
public struct DeviceCounters: Sendable, Equatable {
    public var requests: UInt64 = 0
    public var timeouts: UInt64 = 0
    public var crcErrors: UInt64 = 0
    public var exceptions: UInt64 = 0
    public var otherErrors: UInt64 = 0
    /// Request-to-reply time of the last answered request, in ns.
    public var lastLatency: Int64 = 0
    /// Requests answered (data or exception) and their summed request-to-reply time, in ns.
    public var answered: UInt64 = 0
    public var totalLatency: Int64 = 0

    /// The mean request-to-reply time of answered requests, in ns.
    public var averageLatency: Int64 { answered == 0 ? 0 : totalLatency / Int64(answered) }

    public init() {}

    mutating func count(_ reply: ModbusReply) {
        requests += 1
        guard let error = reply.error else {
            answer(reply.latency)
            return
        }
        switch error.code {
        case 1...11:
            exceptions += 1
            answer(reply.latency)
        case ModbusError.timeoutCode: timeouts += 1
        case ModbusError.crcCode: crcErrors += 1
        default: otherErrors += 1
        }
    }

    private mutating func answer(_ latency: Int64) {
        lastLatency = latency
        answered += 1
        totalLatency += latency
    }
}
