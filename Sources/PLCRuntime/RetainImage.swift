public import PLCCore

/// One retain image: every retained value of a program at one instant, with a sequence number and a
/// checksum, as written to one of the two image files of the state folder.
///
/// Layout (little-endian): the magic `PLCRETN1`, the sequence number (8 bytes), the payload's length
/// (8 bytes), the payload's FNV-1a 64-bit checksum (8 bytes), then the payload: the entry count (4
/// bytes) and per entry its class (1 byte: 0 RETAIN, 1 PERSISTENT), its path and type (2-byte
/// length + UTF-8 each), its words (4-byte count + 8 bytes each) and its strings (4-byte count, then
/// 4-byte length + UTF-8 each). An image whose magic, length or checksum does not match is damaged.
public struct RetainImage: Sendable, Equatable {
    /// One saved value.
    public struct Entry: Sendable, Equatable {
        public let retain: RetainClass
        public let type: String
        public let words: [Int64]
        public let strings: [String]
    }

    static let magic: [UInt8] = Array("PLCRETN1".utf8)
    static let headerSize = 32

    public let sequence: UInt64
    /// Entries by path.
    public let entries: [String: Entry]

    /// The image of `set`'s values in `snapshot`.
    public static func encode(_ set: RetainSet, _ snapshot: Snapshot, sequence: UInt64, into out: inout [UInt8]) {
        encode([(set, snapshot)], sequence: sequence, into: &out)
    }

    /// One image of several sets' values (one set per task), each from its own snapshot.
    public static func encode(_ parts: [(RetainSet, Snapshot)], sequence: UInt64, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: magic)
        append(sequence, 8, &out)
        append(0, 8, &out)   // length, filled in below
        append(0, 8, &out)   // checksum
        var count = 0
        for (set, _) in parts { count += set.items.count }
        append(UInt64(count), 4, &out)
        for (set, snapshot) in parts {
            for item in set.items {
                out.append(item.retain == .retain ? 0 : 1)
                append(item.path, 2, &out)
                append(item.type, 2, &out)
                append(UInt64(item.words.count), 4, &out)
                for w in item.words { append(UInt64(bitPattern: snapshot.words[w]), 8, &out) }
                append(UInt64(item.strings.count), 4, &out)
                for s in item.strings { append(snapshot.strings[s], 4, &out) }
            }
        }
        let length = UInt64(out.count - headerSize)
        let sum = out.withUnsafeBufferPointer { checksum($0[headerSize...]) }
        for i in 0..<8 {
            out[16 + i] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(i)))
            out[24 + i] = UInt8(truncatingIfNeeded: sum >> (8 * UInt64(i)))
        }
    }

    /// Why an image cannot be used.
    public enum Damage: Error, Equatable, CustomStringConvertible {
        case tooShort, badMagic, badLength, badChecksum, badEntry
        public var description: String {
            switch self {
            case .tooShort: "shorter than its header (torn write)"
            case .badMagic: "not a retain image"
            case .badLength: "length does not match its header (torn write)"
            case .badChecksum: "checksum does not match (torn or damaged write)"
            case .badEntry: "an entry is malformed"
            }
        }
    }

    /// Reads an image; throws the damage when it is not whole.
    public static func decode(_ bytes: [UInt8]) throws(Damage) -> RetainImage {
        guard bytes.count >= headerSize else { throw .tooShort }
        guard Array(bytes[0..<8]) == magic else { throw .badMagic }
        var reader = Reader(bytes: bytes, at: 8)
        guard let sequence = reader.int(8), let length = reader.int(8), let sum = reader.int(8) else { throw .tooShort }
        guard length == UInt64(bytes.count - headerSize) else { throw .badLength }
        guard bytes.withUnsafeBufferPointer({ checksum($0[headerSize...]) }) == sum else { throw .badChecksum }
        guard let count = reader.int(4) else { throw .badEntry }
        var entries: [String: Entry] = [:]
        for _ in 0..<count {
            guard let kind = reader.int(1), let path = reader.string(2), let type = reader.string(2),
                  let wordCount = reader.int(4), wordCount <= UInt64(bytes.count) else { throw .badEntry }
            var words: [Int64] = []
            for _ in 0..<wordCount {
                guard let w = reader.int(8) else { throw .badEntry }
                words.append(Int64(bitPattern: w))
            }
            guard let stringCount = reader.int(4), stringCount <= UInt64(bytes.count) else { throw .badEntry }
            var strings: [String] = []
            for _ in 0..<stringCount {
                guard let s = reader.string(4) else { throw .badEntry }
                strings.append(s)
            }
            entries[path] = Entry(retain: kind == 0 ? .retain : .persistent, type: type, words: words, strings: strings)
        }
        return RetainImage(sequence: sequence, entries: entries)
    }

    /// FNV-1a, 64 bits.
    static func checksum(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    private static func append(_ value: UInt64, _ bytes: Int, _ out: inout [UInt8]) {
        for i in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    private static func append(_ text: String, _ lengthBytes: Int, _ out: inout [UInt8]) {
        let utf8 = text.utf8
        append(UInt64(utf8.count), lengthBytes, &out)
        out.append(contentsOf: utf8)
    }

    private struct Reader {
        let bytes: [UInt8]
        var at: Int

        mutating func int(_ n: Int) -> UInt64? {
            guard at + n <= bytes.count else { return nil }
            var v: UInt64 = 0
            for i in 0..<n { v |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
            at += n
            return v
        }

        mutating func string(_ lengthBytes: Int) -> String? {
            guard let n = int(lengthBytes), n <= UInt64(bytes.count - at) else { return nil }
            defer { at += Int(n) }
            return String(decoding: bytes[at..<(at + Int(n))], as: UTF8.self)
        }
    }
}
