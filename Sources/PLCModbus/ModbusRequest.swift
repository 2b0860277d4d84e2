/// One register read for a bus worker to carry out, and where to leave the reply.
public struct ModbusRequest: Sendable {
    public var slave: Int
    /// 3 (holding registers) or 4 (input registers).
    public var function: UInt8
    public var address: Int
    public var count: Int
    public let mailbox: ModbusMailbox

    public init(slave: Int, function: UInt8, address: Int, count: Int, mailbox: ModbusMailbox) {
        self.slave = slave
        self.function = function
        self.address = address
        self.count = count
        self.mailbox = mailbox
    }

    /// `registers 4000-4045 from slave 1`, as the error log says it.
    public var description: String {
        "registers \(address)-\(address + count - 1) from slave \(slave)"
    }
}
