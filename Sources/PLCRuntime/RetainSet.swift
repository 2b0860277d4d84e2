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
        /// Value `index` of what an ST block or program declares retained (or of all of it).
        case declared(any RetainDeclaring, Int, RetainClass?)
    }

    public let items: [Item]
    private let sources: [Source]
    /// Every numeric pin element, flattened: the scan-end copy walks these with an index loop (a
    /// for-in allocates an iterator in debug builds), and only strings, boxed pins and hidden state
    /// take the per-item path (`slowItems`).
    private let cells: UnsafeMutableBufferPointer<Cell>
    private let cellCount: Int
    private let slowItems: [Int]

    private struct Cell {
        let address: UnsafeMutableRawPointer
        let size: Int
        let word: Int
    }
    /// The initial values, taken before the first scan (for a cold start of part of the set).
    private let initial: Snapshot
    /// The values as of the last scan that changed one (what was handed to the store last).
    public let current: Snapshot
    private let scratch: Snapshot

    /// Collects items while a set is built.
    private struct Builder {
        var items: [Item] = []
        var sources: [Source] = []
        var words = 0, strings = 0

        mutating func add(_ path: String, _ type: String, _ retain: RetainClass, _ owner: String, _ source: Source,
                          words w: Int, strings s: Int) {
            items.append(Item(path: path, type: type, retain: retain, owner: owner,
                              words: words..<(words + w), strings: strings..<(strings + s)))
            sources.append(source)
            words += w
            strings += s
        }

        mutating func add(_ path: String, _ type: String, _ retain: RetainClass, _ owner: String, _ decl: IECType, _ source: Source) {
            let count = decl.valueCount
            let isString = decl.pinKind == .string
            add(path, type, retain, owner, source, words: isString ? 0 : count, strings: isString ? count : 0)
        }

        /// What `object` declares retained (everything, when `everything` is set), under `prefix`.
        mutating func addDeclared(_ object: any RetainDeclaring, prefix: String, typePrefix: String, owner: String?,
                                  everything: RetainClass?) {
            for (i, d) in object.declaredRetain(everything: everything).enumerated() {
                let path = prefix + d.name
                add(path, typePrefix + d.type, d.retain, owner ?? String(d.name.prefix { $0 != "." }),
                    .declared(object, i, everything), words: d.words, strings: d.strings)
            }
        }
    }

    /// The retained values of `program`: variables and instances marked `retain:` or `persistent:`,
    /// and what its ST blocks declare `VAR RETAIN` or `VAR PERSISTENT`.
    /// `variables` keeps only the program variables it names (uppercased): with several tasks, each
    /// task's set has the variables that task owns; nil keeps all.
    public convenience init(_ program: CompiledProgram, variables: Set<String>? = nil) {
        var b = Builder()
        let slots = program.variableSlots
        for variable in program.file.variables {
            guard let retain = variable.retain, variables?.contains(variable.decl.name.uppercased()) ?? true,
                  let v = program.variables.index(of: variable.decl.name) else { continue }
            let slot = slots[v]
            b.add(slot.decl.name, slot.decl.type.name, retain, slot.decl.name, slot.decl.type, .pin(slot))
        }
        let marked = Dictionary(program.file.instances.compactMap { i in i.retain.map { (i.name, $0) } }) { a, _ in a }
        for instance in program.instances {
            let typeName = instance.interface.name
            if let declaring = instance.block as? any RetainDeclaring {
                b.addDeclared(declaring, prefix: "\(instance.name).", typePrefix: "\(typeName):", owner: instance.name,
                              everything: marked[instance.name])
                continue
            }
            guard let retain = marked[instance.name] else { continue }
            for (p, decl) in instance.interface.decls.enumerated() {
                let source: Source = instance.pins.isEmpty ? .boxed(instance.block, p, decl.type) : .pin(instance.pins[p])
                b.add("\(instance.name).\(decl.name)", "\(typeName):\(decl.type.name)", retain, instance.name, decl.type, source)
            }
            if let stateful = instance.block as? any StatefulBlock {
                let hidden = type(of: stateful).hiddenState
                let layout = hidden.map { "\($0.name) \($0.type.name)" }.joined(separator: ",")
                b.add("\(instance.name).@state", "\(typeName):@state(\(layout))", retain, instance.name, .hidden(stateful),
                      words: hidden.count, strings: 0)
            }
        }
        self.init(b)
    }

    /// The values an ST program declares `VAR RETAIN` or `VAR PERSISTENT` (`plc run --twin`).
    public convenience init(declaring root: any RetainDeclaring) {
        var b = Builder()
        b.addDeclared(root, prefix: "", typePrefix: "", owner: nil, everything: nil)
        self.init(b)
    }

    private init(_ b: Builder) {
        let items = b.items, sources = b.sources, words = b.words, strings = b.strings
        self.items = items
        self.sources = sources
        var cells: [Cell] = []
        var slow: [Int] = []
        for (i, item) in items.enumerated() {
            if case .pin(let ref) = sources[i], ref.kind != .string {
                for (e, w) in item.words.enumerated() { cells.append(Cell(address: ref.elementAddress(e), size: ref.kind.size, word: w)) }
            } else {
                slow.append(i)
            }
        }
        self.cells = .allocate(capacity: max(cells.count, 1))
        _ = self.cells.initialize(from: cells)
        cellCount = cells.count
        slowItems = slow
        initial = Snapshot(words: words, strings: strings)
        current = Snapshot(words: words, strings: strings)
        scratch = Snapshot(words: words, strings: strings)
        capture(now: 0, into: initial)
        capture(now: 0, into: current)
    }

    deinit { cells.deallocate() }

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
        case .declared(let object, let index, let everything):
            snapshot.strings.withUnsafeBufferPointer { strings in
                object.restoreDeclared(index, everything: everything, words: snapshot.words + item.words.lowerBound,
                                       strings: strings.baseAddress! + item.strings.lowerBound)
            }
        }
    }

    /// Puts item `i` back to the value it had before the first scan.
    func reinitialise(_ i: Int) { restore(i, from: initial, now: 0) }

    private func capture(now: Int64, into snapshot: Snapshot) {
        var n = 0
        let count = cellCount
        let words = snapshot.words
        while n < count {
            let cell = cells[n]
            words[cell.word] = Self.load(cell.address, size: cell.size)
            n += 1
        }
        n = 0
        while n < slowItems.count {
            captureSlow(slowItems[n], now: now, into: snapshot)
            n += 1
        }
    }

    private func captureSlow(_ i: Int, now: Int64, into snapshot: Snapshot) {
        let item = items[i]
        switch sources[i] {
        case .pin(let ref):
            for (e, s) in item.strings.enumerated() {
                let value = ref.elementAddress(e).assumingMemoryBound(to: String.self).pointee
                if snapshot.strings[s] != value { snapshot.strings[s] = value }
            }
        case .boxed(let block, let pin, let type):
            let value = block[pin: pin]
            let elements: [IECValue]
            if case .array(let items) = value { elements = items } else { elements = [value] }
            Self.encode(elements, type, item, into: snapshot)
        case .hidden(let block):
            block.saveState(now: now, into: snapshot.words + item.words.lowerBound)
        case .declared(let object, let index, let everything):
            snapshot.strings.withUnsafeMutableBufferPointer { strings in
                object.saveDeclared(index, everything: everything, words: snapshot.words + item.words.lowerBound,
                                    strings: strings.baseAddress! + item.strings.lowerBound)
            }
        }
    }

    // MARK: - Words

    @inline(__always)
    private static func load(_ address: UnsafeRawPointer, size: Int) -> Int64 {
        switch size {
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
        // At least one: a buffer pointer into it always has a base address.
        self.strings = Array(repeating: "", count: max(strings, 1))
    }

    deinit { words.deallocate() }

    /// A snapshot of the same layout, all zero.
    func emptyCopy() -> Snapshot { Snapshot(words: wordCount, strings: strings.count) }

    func equals(_ other: Snapshot) -> Bool {
        guard memcmp(words, other.words, wordCount * 8) == 0 else { return false }
        var i = 0
        while i < strings.count {
            if strings[i] != other.strings[i] { return false }
            i += 1
        }
        return true
    }

    /// Copies `other` (of the same layout) without allocating once the strings are shared.
    func copy(from other: Snapshot) {
        words.update(from: other.words, count: wordCount)
        var i = 0
        while i < strings.count {
            if strings[i] != other.strings[i] { strings[i] = other.strings[i] }
            i += 1
        }
    }
}
