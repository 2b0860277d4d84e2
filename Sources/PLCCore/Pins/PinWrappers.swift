import Synchronization

/// Memory for one pin (or one array pin) at a fixed address, freed with the block that owns it.
///
/// It also keeps the pin's declaration, so the property wrapper itself is only two words. The
/// value lives in a `PinArena`, beside the values of the pins declared just before it.
public final class PinBox<Value>: @unchecked Sendable {
    /// The first value; stable for the box's lifetime, so a compiled scan may copy through it.
    public let pointer: UnsafeMutablePointer<Value>
    /// The number of values (1 for a scalar pin).
    public let count: Int
    let scope: VarDecl.Scope
    let type: IECType?
    let comment: String
    let required: Bool
    /// The chunk that holds the values; it is freed when its last box goes.
    private let arena: PinArena

    init(repeating value: Value, count: Int, scope: VarDecl.Scope, type: IECType?, comment: String, required: Bool) {
        self.count = count
        self.scope = scope
        self.type = type
        self.comment = comment
        self.required = required
        (arena, pointer) = PinArena.allocate(Value.self, count: count)
        pointer.initialize(repeating: value, count: count)
    }

    deinit {
        pointer.deinitialize(count: count)
    }

    func declaration(defaultType: IECType, kind: PinKind, array: Bool) -> PinDeclaration {
        PinDeclaration(scope: scope, type: type, defaultType: defaultType, kind: kind, count: array ? count : nil,
                       comment: comment, required: required, address: UnsafeMutableRawPointer(pointer))
    }
}

/// Where pin values live: chunks handed out in order, so the pins of one block, and of the blocks
/// created one after another (a program's, in file order), sit side by side in memory.
///
/// A scan that wakes after 100 ms finds its cache lines and TLB entries evicted; with one heap
/// allocation per pin, each pin value was a cache line of its own among the pin boxes, spread over
/// dozens of pages. Packed, a block's pins share one or two lines and a program's a few pages.
/// A chunk is never reused piecemeal: it is freed when the last pin box in it goes.
final class PinArena: @unchecked Sendable {
    /// Bytes per chunk: the pins of a few hundred blocks.
    static let chunkBytes = 16 * 1024
    /// Larger values (long array pins) get a chunk of their own, so they do not end a shared one early.
    static let ownChunkBytes = chunkBytes / 4

    let base: UnsafeMutableRawPointer
    let size: Int
    /// Bytes handed out; only under `current`'s lock.
    private var used = 0

    private static let current = Mutex<PinArena?>(nil)

    private init(size: Int) {
        self.size = size
        base = .allocate(byteCount: size, alignment: 64)
    }

    deinit { base.deallocate() }

    /// Uninitialised memory for `count` values of `T`, and the chunk that must outlive it.
    static func allocate<T>(_: T.Type, count: Int) -> (PinArena, UnsafeMutablePointer<T>) {
        let bytes = max(1, MemoryLayout<T>.stride * count)
        let alignment = MemoryLayout<T>.alignment
        if bytes > ownChunkBytes {
            let own = PinArena(size: bytes)
            return (own, own.base.bindMemory(to: T.self, capacity: count))
        }
        return current.withLock { current in
            if let arena = current, let address = arena.take(bytes, alignment: alignment) {
                return (arena, address.bindMemory(to: T.self, capacity: count))
            }
            let arena = PinArena(size: chunkBytes)
            current = arena
            let address = arena.take(bytes, alignment: alignment)!
            return (arena, address.bindMemory(to: T.self, capacity: count))
        }
    }

    /// The next `bytes` at `alignment`, or nil when the chunk is full.
    private func take(_ bytes: Int, alignment: Int) -> UnsafeMutableRawPointer? {
        let start = (used + alignment - 1) & ~(alignment - 1)
        guard start + bytes <= size else { return nil }
        used = start + bytes
        return base + start
    }
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
    private let box: PinBox<Value>

    public init(wrappedValue: Value, _ type: IECType? = nil, _ comment: String = "", required: Bool = false) {
        box = PinBox(repeating: wrappedValue, count: 1, scope: .input, type: type, comment: comment, required: required)
        pointer = box.pointer
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
        box.declaration(defaultType: Value.defaultIECType, kind: Value.pinKind, array: false)
    }
}

/// Declares a VAR_OUTPUT pin: `@Output("TRUE once IN has been TRUE for PT") public var Q = false`.
@propertyWrapper
public struct Output<Value: PinValue>: PinWrapper {
    public let pointer: UnsafeMutablePointer<Value>
    private let box: PinBox<Value>

    public init(wrappedValue: Value, _ type: IECType? = nil, _ comment: String = "") {
        box = PinBox(repeating: wrappedValue, count: 1, scope: .output, type: type, comment: comment, required: false)
        pointer = box.pointer
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
        box.declaration(defaultType: Value.defaultIECType, kind: Value.pinKind, array: false)
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
    /// The elements, kept beside the box so that a scan reading them does not touch the box.
    private let elements: PinArray<Element>
    private let box: PinBox<Element>

    public init(_ scope: VarDecl.Scope, _ type: IECType? = nil, count: Int, _ comment: String = "",
                initial: Element = .zero, required: Bool = false) {
        box = PinBox(repeating: initial, count: count, scope: scope, type: type, comment: comment, required: required)
        elements = PinArray(base: box.pointer, count: box.count)
    }

    @inline(__always)
    public var wrappedValue: PinArray<Element> { elements }

    public var pinDeclaration: PinDeclaration {
        box.declaration(defaultType: Element.defaultIECType, kind: Element.pinKind, array: true)
    }
}
