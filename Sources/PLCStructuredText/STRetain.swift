public import PLCCore

/// One retained value of an ST instance: its raw 64-bit slots and its string slots in the frame.
struct STRetainLeaf {
    let name: String
    let type: String
    let retain: RetainClass?
    let slots: [Int]
    let stringSlots: [Int]
}

extension STInstance: RetainDeclaring {
    /// The variables of `vars` (at `base` in the frame) that are retained: declared in `VAR RETAIN` /
    /// `VAR PERSISTENT`, or inside an instance or structure that is; with `all`, every variable.
    /// Pointers and references are never saved: an address means nothing after a restart.
    static func leaves(_ vars: [VarInfo], base: Int, prefix: String, inherited: RetainClass?, all: Bool) -> [STRetainLeaf] {
        var result: [STRetainLeaf] = []
        for v in vars where [.input, .output, .local, .stat].contains(v.section) && !v.constant {
            let retain = inherited ?? v.ast?.retain
            let path = prefix + v.name
            let offset = base + v.offset
            switch v.type {
            case .pointer, .reference, .void:
                continue
            case .instance(let pou):
                result += leaves(pou.vars, base: offset, prefix: path + ".", inherited: retain, all: all)
            case .structure(let s):
                result += leaves(s.fields, base: offset, prefix: path + ".", inherited: retain, all: all)
            default:
                guard all || retain != nil else { continue }
                let strings = Set(v.type.stringSlots())
                let slots = (0..<v.type.size).filter { !strings.contains($0) }.map { $0 + offset }
                result.append(STRetainLeaf(name: path, type: v.type.description, retain: retain, slots: slots,
                                           stringSlots: strings.sorted().map { $0 + offset }))
            }
        }
        return result
    }

    func retainLeaves(everything: RetainClass?) -> [STRetainLeaf] {
        everything == nil ? declaredLeaves : allLeaves
    }

    public func declaredRetain(everything: RetainClass?) -> [DeclaredRetain] {
        retainLeaves(everything: everything).map { leaf in
            DeclaredRetain(name: leaf.name, type: leaf.type, retain: everything ?? leaf.retain ?? .retain,
                           words: leaf.slots.count, strings: leaf.stringSlots.count)
        }
    }

    public func saveDeclared(_ index: Int, everything: RetainClass?, words: UnsafeMutablePointer<Int64>,
                             strings: UnsafeMutablePointer<String>) {
        let leaf = retainLeaves(everything: everything)[index]
        for (k, slot) in leaf.slots.enumerated() { words[k] = frame[slot] }
        let table = machine.env.strings
        for (k, slot) in leaf.stringSlots.enumerated() {
            let i = Int(frame[slot])
            if table.items.indices.contains(i) { strings[k] = table.items[i] }
        }
    }

    public func restoreDeclared(_ index: Int, everything: RetainClass?, words: UnsafePointer<Int64>,
                                strings: UnsafePointer<String>) {
        let leaf = retainLeaves(everything: everything)[index]
        for (k, slot) in leaf.slots.enumerated() { frame[slot] = words[k] }
        let table = machine.env.strings
        for (k, slot) in leaf.stringSlots.enumerated() {
            let i = Int(frame[slot])
            if table.items.indices.contains(i) { table.items[i] = strings[k] }
        }
    }
}

extension STFunctionBlock: RetainDeclaring {
    public func declaredRetain(everything: RetainClass?) -> [DeclaredRetain] {
        instance?.declaredRetain(everything: everything) ?? []
    }

    public func saveDeclared(_ index: Int, everything: RetainClass?, words: UnsafeMutablePointer<Int64>,
                             strings: UnsafeMutablePointer<String>) {
        instance?.saveDeclared(index, everything: everything, words: words, strings: strings)
    }

    public func restoreDeclared(_ index: Int, everything: RetainClass?, words: UnsafePointer<Int64>,
                                strings: UnsafePointer<String>) {
        instance?.restoreDeclared(index, everything: everything, words: words, strings: strings)
    }
}
