import Foundation
import PLCBlocks
import PLCCore
import PLCGraph
import PLCModbus
import Testing

/// Fuzzing of every parser a user (or a serial line) feeds: program files, vector files and Modbus
/// replies through the client. Each runs `cases` mutated inputs from fixed seeds; the property is
/// "a clear error or a correct result, never a crash or a hang", plus per-parser checks below.
/// Counts and durations are printed (`fuzz: ...`) for the CI log.
@Suite("Fuzzing", .serialized)
struct FuzzTests {
    static let cases = 10_000

    static func report(_ what: String, _ count: Int, accepted: Int, since start: Date) {
        let seconds = Date().timeIntervalSince(start)
        print("fuzz: \(what): \(count) cases, \(accepted) accepted, \(String(format: "%.1f", seconds)) s")
    }

    @Test("program files: every mutation loads and compiles, or fails with file:line errors")
    func programFiles() throws {
        let seeds = try ["rx380_main", "blinker"].map {
            try [UInt8](Data(contentsOf: Fixtures.programs.appendingPathComponent("\($0)/program.yaml")))
        }
        var fuzzer = Fuzzer(seed: 0x5EED_0001, tokens: [
            ": ", "\n  - ", "- ", "{", "}", "[", "]", "'", "\"", "#", "T#", "T#-1s", "T#0s", "16#", "99999999999999999999",
            "-1", "NOT ", "feedback: true", "from: ", ".", "[125]", "[-1]", "TRUE", "\t", "    ", "?", "|", ">", "!!str ",
        ])
        let start = Date()
        var accepted = 0
        for n in 0..<Self.cases {
            let bytes = fuzzer.mutate(seeds[n % seeds.count])
            let path = "fuzz-\(n).yaml"
            do {
                let text = try TextInput.decode(bytes, path: path)
                let file = try ProgramLoader.parse(text, path: path, enums: Fixtures.library.enumerations)
                _ = try ProgramCompiler.compile(file, library: Fixtures.library)
                accepted += 1
            } catch let error as ProgramErrors {
                for e in error.errors where e.file != path && e.file != "--set" {
                    Issue.record("case \(n): an error without the file's name: \(e)")
                }
            } catch let error as SourceError {
                #expect(error.file == path, "case \(n): \(error)")
            }
        }
        Self.report("program files", Self.cases, accepted: accepted, since: start)
        #expect(accepted > 0 && accepted < Self.cases, "the mutations must reach both outcomes")
    }

    @Test("vector files: every mutation parses and traces, or fails with file:line errors")
    func vectorFiles() throws {
        let seeds: [(type: any FunctionBlock.Type, bytes: [UInt8])] = try Fixtures.vectorFiles.compactMap { vector in
            guard let type = Fixtures.library.type(named: vector.type) else { return nil }
            return (type, try [UInt8](Data(contentsOf: URL(fileURLWithPath: vector.path))))
        }
        #expect(seeds.count >= 10)
        var fuzzer = Fuzzer(seed: 0x5EED_0002, tokens: [
            ",", "\"", "\"\"", "\n", "T#", "T#1d", "T#-5s", "16#FFFF", "16#", "1e308", "-1e308", "nan", "inf",
            "9223372036854775807", "-9223372036854775808", "TRUE", "FALSE", "#", "[1, 2]", "'x'", "LREAL#1.5",
        ])
        let start = Date()
        var accepted = 0
        for n in 0..<Self.cases {
            let seed = seeds[n % seeds.count]
            let bytes = fuzzer.mutate(seed.bytes)
            let path = "fuzz-\(n).csv"
            do {
                let text = try TextInput.decode(bytes, path: path)
                let file = try VectorFile.parse(text, path: path, for: seed.type.interface)
                // The parsed inputs run through the block too: every value a vector can hold is a valid pin value.
                _ = VectorTrace(seed.type, file)
                accepted += 1
            } catch {
                #expect(error.file == path && error.line != nil || error.file == path, "case \(n): \(error)")
            }
        }
        Self.report("vector files", Self.cases, accepted: accepted, since: start)
        #expect(accepted > 0 && accepted < Self.cases)
    }

    @Test("Modbus RTU replies through libmodbus and the client: wrong frames are errors, never wrong data")
    func modbusReplies() throws {
        let peer = try PtyPeer()
        defer { peer.stop() }
        var settings = BusSettings(transport: .rtu(device: peer.path, baud: 115_200, parity: .none, dataBits: 8,
                                                   stopBits: 1, rs485: false))
        settings.responseTimeout = 15
        settings.byteTimeout = 3
        let connection = try ModbusConnection(settings)
        try connection.connect()
        var fuzzer = Fuzzer(seed: 0x5EED_0003, tokens: ["\u{1}\u{4}", "\u{1}\u{84}\u{2}", "\u{0}", "\u{FF}\u{FF}"])
        var random = Fuzzer.Random(state: 0x5EED_0004)
        var buffer = [UInt16](repeating: 0, count: 125)
        let start = Date()
        var accepted = 0
        let known: Set<UInt32> = Set(1...11).union(100...105)
        for n in 0..<Self.cases {
            let count = Int.random(in: 1...125, using: &random)
            let address = Int.random(in: 0...(0x10000 - count), using: &random)
            let data = (0..<count).map { _ in UInt16.random(in: 0...0xFFFF, using: &random) }
            var frame: [UInt8] = [1, 4, UInt8(2 * count)] + data.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
            switch Int.random(in: 0..<10, using: &random) {
            case 0...2:
                break                                                        // a good reply
            case 3:
                frame = [1, 0x84, UInt8.random(in: 0...255, using: &random)]      // an exception, any code
            case 4, 5:
                frame = fuzzer.mutate(frame)                                  // mutated, CRC made right again
            default:
                frame = fuzzer.mutate(frame + PtyPeer.crc(frame))             // mutated after the CRC
                peer.reply(frame)
                accepted += check(n, connection, address, count, &buffer, frame, known)
                continue
            }
            frame += PtyPeer.crc(frame)
            peer.reply(frame)
            accepted += check(n, connection, address, count, &buffer, frame, known)
        }
        Self.report("Modbus RTU replies", Self.cases, accepted: accepted, since: start)
        #expect(accepted > Self.cases / 5, "good replies must be read")
    }

    /// One request against the prepared `frame`; 1 when the client accepted it (after checking it was right).
    private func check(_ n: Int, _ connection: ModbusConnection, _ address: Int, _ count: Int, _ buffer: inout [UInt16],
                       _ frame: [UInt8], _ known: Set<UInt32>) -> Int {
        do throws(ModbusError) {
            try connection.readRegisters(function: 4, slave: 1, address: address, count: count, into: &buffer)
        } catch {
            #expect(known.contains(error.code), "case \(n): unknown error code \(error.code): \(error.reason)")
            return 0
        }
        // Accepted: it must have been a well-formed reply to this request, and the registers its data.
        let length = 3 + 2 * count
        let wellFormed = frame.count >= length + 2 && frame[0] == 1 && frame[1] == 4 && frame[2] == UInt8(2 * count)
            && Array(frame[length..<length + 2]) == PtyPeer.crc(Array(frame[0..<length]))
        #expect(wellFormed, "case \(n): accepted a malformed reply \(frame.prefix(8))")
        if wellFormed {
            for i in 0..<count where buffer[i] != UInt16(frame[3 + 2 * i]) << 8 | UInt16(frame[4 + 2 * i]) {
                Issue.record("case \(n): register \(i) is \(buffer[i]), the reply said otherwise")
                break
            }
        }
        return 1
    }
}

/// The far end of a pseudo-terminal: answers each request (read whole, 8 bytes) with the frame it was given.
final class PtyPeer: @unchecked Sendable {
    let path: String
    private let master: Int32
    private let lock = NSCondition()
    private var next: [UInt8]?
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        // posix_openpt() and friends are not in Swift's Glibc module: the same through /dev/ptmx's ioctls.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0, number: UInt32 = 0
        let TIOCSPTLCK: UInt = 0x4004_5431, TIOCGPTN: UInt = 0x8004_5430
        guard master >= 0, ioctl(master, TIOCSPTLCK, &unlock) == 0, ioctl(master, TIOCGPTN, &number) == 0 else {
            throw PeerFailure("cannot open a pseudo-terminal")
        }
        path = "/dev/pts/\(number)"
        var raw = termios()
        tcgetattr(master, &raw)
        cfmakeraw(&raw)
        tcsetattr(master, TCSANOW, &raw)
        Thread { [self] in serve() }.start()
    }

    /// The reply to the next request.
    func reply(_ frame: [UInt8]) {
        lock.withLock { next = frame }
    }

    func stop() {
        lock.withLock { running = false }
        done.wait()
        close(master)
    }

    private func serve() {
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64)
        while lock.withLock({ running }) {
            var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 20) > 0 else { continue }
            let n = read(master, &chunk, chunk.count)
            guard n > 0 else { usleep(1000); continue }
            request += chunk[0..<n]
            guard request.count >= 8 else { continue }
            request.removeAll()
            if let frame = lock.withLock({ () -> [UInt8]? in defer { next = nil }; return next }) {
                _ = frame.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            }
        }
        done.signal()
    }

    /// The Modbus RTU CRC of `bytes`, low byte first.
    static func crc(_ bytes: [UInt8]) -> [UInt8] {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        }
        return [UInt8(crc & 0xFF), UInt8(crc >> 8)]
    }
}

struct PeerFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
