import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where pin values live: chunks handed out in order, so the pins of one block, and of the blocks
/// created one after another (a program's, in file order), sit side by side in memory.
///
/// A scan that wakes after 100 ms finds its cache lines and TLB entries evicted; with one heap
/// allocation per pin, each pin value was a cache line of its own among the pin boxes, spread over
/// dozens of pages. Packed, a block's pins share one or two lines and a program's a few pages.
///
/// The chunk also keeps each pin's declaration (scope, type, comment), which only loading reads:
/// a pin costs no heap object of its own, so the block objects a scan reads, made one after another,
/// sit side by side too instead of each among its pins' boxes. Only a string pin keeps an object of
/// its own (`StringPinKeeper`), which releases its strings when the block goes. A chunk is never
/// reused piecemeal: it is freed when the last pin wrapper holding it goes.
final class PinArena: @unchecked Sendable {
    /// Bytes per chunk: the pins of a few hundred blocks.
    static let chunkBytes = 16 * 1024
    /// Larger values (long array pins) get a chunk of their own, so they do not end a shared one early.
    static let ownChunkBytes = chunkBytes / 4

    /// One pin's declaration, kept beside its value for loading (`@unchecked Sendable`: the address
    /// is of memory this chunk owns, and records are only touched under the chunk's lock).
    struct Record: @unchecked Sendable {
        let address: UnsafeMutableRawPointer
        let count: Int
        let scope: VarDecl.Scope
        let type: IECType?
        let comment: String
        let required: Bool
    }

    let base: UnsafeMutableRawPointer
    let size: Int
    /// Bytes handed out; only by the thread whose chunk this is.
    private var used = 0
    /// The pins handed out, in address order (a chunk is handed out front to back).
    private let records = Mutex<[Record]>([])


    private init(size: Int) {
        self.size = size
        base = .allocate(byteCount: size, alignment: 64)
    }

    deinit { base.deallocate() }

    /// `count` values of `value` for a pin declared as given, and what the pin's wrapper keeps for
    /// them: the chunk, or for a string pin a `StringPinKeeper` (which keeps the chunk).
    static func pin<Value: PinValue>(repeating value: Value, count: Int, scope: VarDecl.Scope, type: IECType?,
                                     comment: String, required: Bool) -> (AnyObject, UnsafeMutablePointer<Value>) {
        let (arena, pointer) = allocate(Value.self, count: count)
        pointer.initialize(repeating: value, count: count)
        let record = Record(address: UnsafeMutableRawPointer(pointer), count: count, scope: scope, type: type,
                            comment: comment, required: required)
        // In address order, which two threads making blocks at once may finish out of.
        arena.records.withLock { records in
            records.insert(record, at: Self.index(of: record.address, in: records))
        }
        guard Value.pinKind == .string else { return (arena, pointer) }
        let strings = UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: String.self)
        return (StringPinKeeper(arena: arena, strings: strings, count: count), pointer)
    }

    /// Uninitialised memory for `count` values of `T`, and the chunk that must outlive it.
    private static func allocate<T>(_: T.Type, count: Int) -> (PinArena, UnsafeMutablePointer<T>) {
        let bytes = max(1, MemoryLayout<T>.stride * count)
        let alignment = MemoryLayout<T>.alignment
        if bytes > ownChunkBytes {
            let own = PinArena(size: bytes)
            return (own, own.base.bindMemory(to: T.self, capacity: count))
        }
        // Each thread fills a chunk of its own: the blocks one thread makes (a program being loaded)
        // stay side by side even while another thread makes blocks too (tests, an online change).
        let current = pthread_getspecific(currentKey).map { Unmanaged<PinArena>.fromOpaque($0).takeUnretainedValue() }
        if let arena = current, let address = arena.take(bytes, alignment: alignment) {
            return (arena, address.bindMemory(to: T.self, capacity: count))
        }
        let arena = PinArena(size: chunkBytes)
        if let old = pthread_getspecific(currentKey) { Unmanaged<PinArena>.fromOpaque(old).release() }
        pthread_setspecific(currentKey, Unmanaged.passRetained(arena).toOpaque())
        let address = arena.take(bytes, alignment: alignment)!
        return (arena, address.bindMemory(to: T.self, capacity: count))
    }

    /// The thread's chunk being filled (a retained `PinArena`), released when the thread ends.
    private static let currentKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { chunk in
            if let chunk { Unmanaged<PinArena>.fromOpaque(chunk).release() }
        }
        return key
    }()

    /// The next `bytes` at `alignment`, or nil when the chunk is full.
    private func take(_ bytes: Int, alignment: Int) -> UnsafeMutableRawPointer? {
        let start = (used + alignment - 1) & ~(alignment - 1)
        guard start + bytes <= size else { return nil }
        used = start + bytes
        return base + start
    }

    /// The declaration of the pin whose values start at `address`, kept by `owner` (what `pin` returned).
    static func declaration(_ owner: AnyObject, at address: UnsafeMutableRawPointer, defaultType: IECType, kind: PinKind,
                            array: Bool) -> PinDeclaration {
        let arena = (owner as? PinArena) ?? (owner as! StringPinKeeper).arena
        return arena.declaration(at: address, defaultType: defaultType, kind: kind, array: array)
    }

    /// The first record at or after `address` (a binary search).
    private static func index(of address: UnsafeMutableRawPointer, in records: [Record]) -> Int {
        var low = 0, high = records.count
        while low < high {
            let middle = (low + high) / 2
            if records[middle].address < address { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The declaration of the pin whose values start at `address` (a binary search: records are in address order).
    private func declaration(at address: UnsafeMutableRawPointer, defaultType: IECType, kind: PinKind, array: Bool) -> PinDeclaration {
        let record = records.withLock { records -> Record in
            let i = Self.index(of: address, in: records)
            precondition(i < records.count && records[i].address == address, "a pin's declaration is missing from its chunk")
            return records[i]
        }
        return PinDeclaration(scope: record.scope, type: record.type, defaultType: defaultType, kind: kind,
                              count: array ? record.count : nil, comment: record.comment, required: record.required,
                              address: address)
    }
}

/// The strings of one string pin: released when the block that declares the pin goes, as the
/// values of every other pin kind need no release; it keeps the chunk that holds them.
final class StringPinKeeper {
    let arena: PinArena
    let strings: UnsafeMutablePointer<String>
    let count: Int

    init(arena: PinArena, strings: UnsafeMutablePointer<String>, count: Int) {
        self.arena = arena
        self.strings = strings
        self.count = count
    }

    deinit { strings.deinitialize(count: count) }
}

/// What a pin property wrapper tells reflection about itself; the name comes from the property.
public struct PinDeclaration {
    public let scope: VarDecl.Scope
    /// The declared IEC type, or nil to take the Swift type's default (`Bool` is BOOL, `UInt16` UINT...).
    public let type: IECType?
    public let defaultType: IECType
    public let kind: PinKind
    /// The element count of an array pin; nil for a scalar.
    public let count: Int?
    public let comment: String
    public let required: Bool
    public let address: UnsafeMutableRawPointer
}

/// A property wrapper that declares a pin; found by reflection in declaration order.
public protocol PinWrapper {
    /// The pin's declaration and where its value lives.
    var pinDeclaration: PinDeclaration { get }
}

/// Declares a VAR_INPUT pin: `@Input(.time, "delay before Q") public var PT: Int64 = 0`.
///
/// The pin's value lives at a fixed address, so a compiled program wires it by plain copies.
@propertyWrapper
public struct Input<Value: PinValue>: PinWrapper {
    public let pointer: UnsafeMutablePointer<Value>
    /// The chunk that holds the value and the declaration (for a string pin, its `StringPinKeeper`).
    private let owner: AnyObject

    public init(wrappedValue: Value, _ type: IECType? = nil, _ comment: String = "", required: Bool = false) {
        (owner, pointer) = PinArena.pin(repeating: wrappedValue, count: 1, scope: .input, type: type, comment: comment,
                                        required: required)
    }

    public init(wrappedValue: Value, _ comment: String, required: Bool = false) {
        self.init(wrappedValue: wrappedValue, nil, comment, required: required)
    }

    @inline(__always)
    public var wrappedValue: Value {
        get { pointer.pointee }
        nonmutating set { pointer.pointee = newValue }
    }

    public var pinDeclaration: PinDeclaration {
        PinArena.declaration(owner, at: UnsafeMutableRawPointer(pointer), defaultType: Value.defaultIECType, kind: Value.pinKind, array: false)
    }
}

/// Declares a VAR_OUTPUT pin: `@Output("TRUE once IN has been TRUE for PT") public var Q = false`.
@propertyWrapper
public struct Output<Value: PinValue>: PinWrapper {
    public let pointer: UnsafeMutablePointer<Value>
    /// The chunk that holds the value and the declaration (for a string pin, its `StringPinKeeper`).
    private let owner: AnyObject

    public init(wrappedValue: Value, _ type: IECType? = nil, _ comment: String = "") {
        (owner, pointer) = PinArena.pin(repeating: wrappedValue, count: 1, scope: .output, type: type, comment: comment,
                                        required: false)
    }

    public init(wrappedValue: Value, _ comment: String) {
        self.init(wrappedValue: wrappedValue, nil, comment)
    }

    @inline(__always)
    public var wrappedValue: Value {
        get { pointer.pointee }
        nonmutating set { pointer.pointee = newValue }
    }

    public var pinDeclaration: PinDeclaration {
        PinArena.declaration(owner, at: UnsafeMutableRawPointer(pointer), defaultType: Value.defaultIECType, kind: Value.pinKind, array: false)
    }
}

/// Fixed-size array storage of an array pin: read and write elements by index.
public struct PinArray<Element>: RandomAccessCollection {
    public let base: UnsafeMutablePointer<Element>
    public let count: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    @inline(__always)
    public subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }
}

/// Declares an array pin: `@ArrayPin(.output, .word, count: 125, "the registers read") public var awData`.
@propertyWrapper
public struct ArrayPin<Element: ZeroablePinValue>: PinWrapper {
    /// The elements' address and count.
    private let elements: PinArray<Element>
    /// The chunk that holds the values and the declaration (for a string pin, its `StringPinKeeper`).
    private let owner: AnyObject

    public init(_ scope: VarDecl.Scope, _ type: IECType? = nil, count: Int, _ comment: String = "",
                initial: Element = .zero, required: Bool = false) {
        let (owner, pointer) = PinArena.pin(repeating: initial, count: count, scope: scope, type: type, comment: comment,
                                            required: required)
        self.owner = owner
        elements = PinArray(base: pointer, count: count)
    }

    @inline(__always)
    public var wrappedValue: PinArray<Element> { elements }

    public var pinDeclaration: PinDeclaration {
        PinArena.declaration(owner, at: UnsafeMutableRawPointer(elements.base), defaultType: Element.defaultIECType,
                             kind: Element.pinKind, array: true)
    }
}
