public import PLCCore
public import PLCGraph
import Glibc

/// The RETAIN and PERSISTENT state of a compiled program: which values, where they live, and a copy of
/// them taken at the end of a scan.
///
/// Every retained value is an item keyed by instance path and type: a program variable (`Blinks`,
/// type `WORD`), a pin of a retained block instance (`counter.CV`, type `CTU:WORD`: the block type
/// is part of the key, so an instance whose type changed never receives another type's state), or
/// a block's hidden state (`timer.@state`, type `TON:@state`). Numbers are raw 64-bit words and
/// strings are kept apart, so taking a copy of the Swift blocks' state allocates nothing.
public final class RetainSet {
    /// One retained value.
    public struct Item: Sendable {
        /// `Variable`, `instance.PIN` or `instance.@state`.
        public let path: String
        /// The IEC type (`WORD`), prefixed with the block type for an instance (`CTU:WORD`).
        public let type: String
        public let retain: RetainClass
        /// The program variable or instance the item belongs to, for messages.
        public let owner: String
        let words: Range<Int>
        let strings: Range<Int>
    }

    /// Where an item's value lives.
    private enum Source {
        /// A pin or program variable at a fixed address.
        case pin(PinRef)
        /// A pin reached through `IECValue` (a block that declares its pins by hand, an ST block).
        case boxed(any FunctionBlock, Int, IECType)
        /// A block's hidden state.
        case hidden(any StatefulBlock)
    }

    public let items: [Item]
    private let sources: [Source]
    /// The initial values, taken before the first scan (for a cold start of part of the set).
    private let initial: Snapshot
    /// The values as of the last scan that changed one (what was handed to the store last).
    public let current: Snapshot
    private let scratch: Snapshot

    /// The retained values of `program`: variables and instances marked `retain:` or `persistent:`.
    public init(_ program: CompiledProgram) {
        var items: [Item] = []
        var sources: [Source] = []
        var words = 0, strings = 0
        func add(_ path: String, _ type: String, _ retain: RetainClass, _ owner: String, _ source: Source,
                 words w: Int, strings s: Int) {
            items.append(Item(path: path, type: type, retain: retain, owner: owner,
                              words: words..<(words + w), strings: strings..<(strings + s)))
            sources.append(source)
            words += w
            strings += s
        }
        func add(_ path: String, _ type: String, _ retain: RetainClass, _ owner: String, _ decl: IECType, _ source: Source) {
            let count = decl.valueCount
            let isString = decl.pinKind == .string
            add(path, type, retain, owner, source, words: isString ? 0 : count, strings: isString ? count : 0)
        }
        let slots = program.variableSlots
        for variable in program.file.variables {
            guard let retain = variable.retain, let v = program.variables.index(of: variable.decl.name) else { continue }
            let slot = slots[v]
            add(slot.decl.name, slot.decl.type.name, retain, slot.decl.name, slot.decl.type, .pin(slot))
        }
        for fileInstance in program.file.instances {
            guard let retain = fileInstance.retain,
                  let instance = program.instances.first(where: { $0.name == fileInstance.name }) else { continue }
            let typeName = instance.interface.name
            for (p, decl) in instance.interface.decls.enumerated() {
                let source: Source = instance.pins.isEmpty ? .boxed(instance.block, p, decl.type) : .pin(instance.pins[p])
                add("\(instance.name).\(decl.name)", "\(typeName):\(decl.type.name)", retain, instance.name, decl.type, source)
            }
            if let stateful = instance.block as? any StatefulBlock {
                let hidden = type(of: stateful).hiddenState
                let layout = hidden.map { "\($0.name) \($0.type.name)" }.joined(separator: ",")
                add("\(instance.name).@state", "\(typeName):@state(\(layout))", retain, instance.name, .hidden(stateful),
                    words: hidden.count, strings: 0)
            }
        }
        self.items = items
        self.sources = sources
        initial = Snapshot(words: words, strings: strings)
        current = Snapshot(words: words, strings: strings)
        scratch = Snapshot(words: words, strings: strings)
        capture(now: 0, into: initial)
        capture(now: 0, into: current)
    }

    /// True when the program retains nothing.
    public var isEmpty: Bool { items.isEmpty }

    /// Copies every retained value into `current` at the end of the scan at time `now` (ms); true when
    /// one differs from the last copy (then the store has something new to write).
    public func captureIfChanged(now: Int64) -> Bool {
        capture(now: now, into: scratch)
        guard !scratch.equals(current) else { return false }
        current.copy(from: scratch)
        return true
    }

    /// Writes item `i`'s value from `snapshot` back into the program; the next scan runs at `now` (ms).
    func restore(_ i: Int, from snapshot: Snapshot, now: Int64) {
        let item = items[i]
        switch sources[i] {
        case .pin(let ref):
            if ref.kind == .string {
                for (e, s) in item.strings.enumerated() {
                    ref.elementAddress(e).assumingMemoryBound(to: String.self).pointee = snapshot.strings[s]
                }
            } else {
                for (e, w) in item.words.enumerated() { Self.store(snapshot.words[w], ref.elementAddress(e), ref.kind) }
            }
        case .boxed(let block, let pin, let type):
            let values = Self.decode(snapshot, item, type)
            block[pin: pin] = values.count == 1 && type.valueCount == 1 && !type.isArray ? values[0] : .array(values)
        case .hidden(let block):
            block.restoreState(now: now, from: snapshot.words + item.words.lowerBound)
        }
    }

    /// Puts item `i` back to the value it had before the first scan.
    func reinitialise(_ i: Int) { restore(i, from: initial, now: 0) }

    private func capture(now: Int64, into snapshot: Snapshot) {
        for (i, item) in items.enumerated() {
            switch sources[i] {
            case .pin(let ref):
                if ref.kind == .string {
                    for (e, s) in item.strings.enumerated() {
                        let value = ref.elementAddress(e).assumingMemoryBound(to: String.self).pointee
                        if snapshot.strings[s] != value { snapshot.strings[s] = value }
                    }
                } else {
                    for (e, w) in item.words.enumerated() { snapshot.words[w] = Self.load(ref.elementAddress(e), ref.kind) }
                }
            case .boxed(let block, let pin, let type):
                let value = block[pin: pin]
                let elements: [IECValue]
                if case .array(let items) = value { elements = items } else { elements = [value] }
                Self.encode(elements, type, item, into: snapshot)
            case .hidden(let block):
                block.saveState(now: now, into: snapshot.words + item.words.lowerBound)
            }
        }
    }

    // MARK: - Words

    private static func load(_ address: UnsafeRawPointer, _ kind: PinKind) -> Int64 {
        switch kind.size {
        case 1: Int64(address.load(as: UInt8.self))
        case 2: Int64(address.load(as: UInt16.self))
        case 4: Int64(address.load(as: UInt32.self))
        default: address.load(as: Int64.self)
        }
    }

    private static func store(_ word: Int64, _ address: UnsafeMutableRawPointer, _ kind: PinKind) {
        switch kind.size {
        case 1: address.storeBytes(of: kind == .bool ? UInt8(word != 0 ? 1 : 0) : UInt8(truncatingIfNeeded: word), as: UInt8.self)
        case 2: address.storeBytes(of: UInt16(truncatingIfNeeded: word), as: UInt16.self)
        case 4: address.storeBytes(of: UInt32(truncatingIfNeeded: word), as: UInt32.self)
        default: address.storeBytes(of: word, as: Int64.self)
        }
    }

    private static func encode(_ values: [IECValue], _ type: IECType, _ item: Item, into snapshot: Snapshot) {
        for (e, value) in values.enumerated() {
            if case .string(let s) = value {
                if e < item.strings.count { snapshot.strings[item.strings.lowerBound + e] = s }
                continue
            }
            guard e < item.words.count else { continue }
            let word: Int64
            switch value {
            case .bool(let b): word = b ? 1 : 0
            case .int(let v), .time(let v): word = v
            case .real(let r): word = Int64(bitPattern: r.bitPattern)
            case .string, .array: word = 0
            }
            snapshot.words[item.words.lowerBound + e] = word
        }
    }

    private static func decode(_ snapshot: Snapshot, _ item: Item, _ type: IECType) -> [IECValue] {
        var element = type
        if case .array(let inner, _) = type { element = inner }
        if element.pinKind == .string { return item.strings.map { .string(snapshot.strings[$0]) } }
        return item.words.map { w in
            let word = snapshot.words[w]
            switch element.pinKind {
            case .bool: return .bool(word != 0)
            case .float, .double: return .real(Double(bitPattern: UInt64(bitPattern: word)))
            default: return element == .time ? .time(word) : .int(word)
            }
        }
    }
}

extension IECType {
    var isArray: Bool {
        if case .array = self { return true }
        return false
    }
}

/// The values of a retain set at one instant: raw words and strings, at fixed places per item.
public final class Snapshot: @unchecked Sendable {
    public let words: UnsafeMutablePointer<Int64>
    public let wordCount: Int
    public var strings: [String]

    init(words: Int, strings: Int) {
        wordCount = words
        self.words = .allocate(capacity: max(words, 1))
        self.words.initialize(repeating: 0, count: max(words, 1))
        self.strings = Array(repeating: "", count: strings)
    }

    deinit { words.deallocate() }

    func equals(_ other: Snapshot) -> Bool {
        memcmp(words, other.words, wordCount * 8) == 0 && strings == other.strings
    }

    /// Copies `other` (of the same layout) without allocating once the strings are shared.
    func copy(from other: Snapshot) {
        words.update(from: other.words, count: wordCount)
        for i in strings.indices where strings[i] != other.strings[i] { strings[i] = other.strings[i] }
    }
}
