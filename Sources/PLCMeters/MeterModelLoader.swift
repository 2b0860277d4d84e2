#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
public import PLCCore
import PLCYAML

/// Reads `meters/<model>.yaml` into a `MeterModel`, collecting every problem as `file:line: message`.
public struct MeterModelLoader {
    private let path: String
    private var errors: [SourceError] = []

    static let topKeys: Set<String> = ["model", "manufacturer", "description", "sources", "serial", "functions",
                                       "wordOrder", "maxRegisters", "answers", "values", "groups", "notes"]
    static let valueKeys: Set<String> = ["name", "function", "address", "format", "order", "factor", "decimals",
                                         "unit", "poll", "source", "comment"]

    /// Loads the model file at `path`.
    public static func load(_ path: String) throws(ProgramErrors) -> MeterModel {
        let text: String
        do throws(SourceError) {
            // The cause in words: "Too many open files", "is not UTF-8 text (line 3)", not a Foundation error number.
            text = try TextInput.read(path, what: "meter model")
        } catch {
            throw ProgramErrors([error])
        }
        return try parse(text, path: path)
    }

    /// Parses model text; `path` names the file in messages and gives the expected model name.
    public static func parse(_ text: String, path: String) throws(ProgramErrors) -> MeterModel {
        var loader = MeterModelLoader(path: path)
        let root: Node
        do {
            root = try YAMLSource.compose(text, path: path)
        } catch {
            throw ProgramErrors([error])
        }
        let model = loader.model(root)
        if let model, loader.errors.isEmpty { return model }
        throw ProgramErrors(loader.errors)
    }

    private init(path: String) { self.path = path }

    // MARK: - Sections

    private mutating func model(_ root: Node) -> MeterModel? {
        guard let map = root.mapping else {
            fail(root, "a meter model must be a mapping (model:, functions:, answers:, values:)")
            return nil
        }
        for key in map.keys {
            if let k = key.scalar?.string, !Self.topKeys.contains(k) {
                fail(key, "unknown key '\(k)' in a meter model (expected one of: \(Self.topKeys.sorted().joined(separator: ", ")))")
            }
        }
        let stem = path.pathLastComponent.pathDeletingExtension
        let name = scalar(root, "model") ?? stem
        if let node = map["model"], name != stem {
            fail(node, "model '\(name)' must be named like its file ('\(stem)')")
        }
        var functions: [UInt8] = [4]
        if let node = map["functions"] {
            let items = (node.sequence.map(Array.init) ?? [node]).compactMap { item -> UInt8? in
                guard let f = item.scalar.flatMap({ UInt8($0.string) }), f == 3 || f == 4 else {
                    fail(item, "functions: '\(item.scalar?.string ?? "?")' must be 3 (holding) or 4 (input registers)")
                    return nil
                }
                return f
            }
            if !items.isEmpty { functions = items }
        }
        var order = WordOrder.abcd
        if let node = map["wordOrder"] { order = wordOrder(node) ?? order }
        var maxRegisters = 125
        if let node = map["maxRegisters"] {
            if let n = node.scalar.flatMap({ Int($0.string) }), (1...125).contains(n) { maxRegisters = n }
            else { fail(node, "maxRegisters must be 1 to 125") }
        }
        var answers: [ClosedRange<Int>] = []
        if let node = map["answers"], let items = node.sequence {
            answers = items.compactMap { range($0, "answers") }
        } else {
            fail(map["answers"] ?? root, "answers: list the register ranges the meter answers, e.g. [4000-4045]")
        }
        var values: [MeterValue] = []
        if let node = map["values"], let items = node.sequence {
            for item in items {
                if let v = value(item, functions: functions, order: order, answers: answers) {
                    if let twin = values.first(where: { $0.name == v.name }) {
                        fail(item, "value '\(v.name)' is declared twice (first on line \(twin.line))")
                    } else if let overlap = values.first(where: { $0.function == v.function && $0.registers.overlaps(v.registers) }) {
                        fail(item, "value '\(v.name)' at \(v.registers.lowerBound)-\(v.registers.upperBound) overlaps '\(overlap.name)' (line \(overlap.line))")
                    } else {
                        values.append(v)
                    }
                }
            }
        } else {
            fail(map["values"] ?? root, "values: list the meter's values (name, address, format, ...)")
        }
        if let node = map["values"], node.sequence?.isEmpty == true {
            fail(node, "values: the list is empty; a meter model needs at least one value (name, address, format, ...)")
        }
        for v in values where v.format.registerCount > maxRegisters {
            fail(root, "\(v.name) (line \(v.line)) takes \(v.format.registerCount) registers, more than maxRegisters \(maxRegisters)")
        }
        let model = MeterModel(name: name, manufacturer: scalar(root, "manufacturer") ?? "",
                               description: scalar(root, "description") ?? "", functions: functions,
                               maxRegisters: maxRegisters, answers: answers, values: values, path: path)
        if let node = map["groups"], errors.isEmpty {
            let written = (node.sequence.map(Array.init) ?? []).map { $0.scalar?.string ?? "?" }
            let computed = model.groups.map(\.description)
            if written != computed {
                fail(node, "groups must be what the values and answers give: [\(computed.joined(separator: ", "))] "
                     + "(written: [\(written.joined(separator: ", "))])")
            }
        }
        return model
    }

    private mutating func value(_ node: Node, functions: [UInt8], order: WordOrder,
                                answers: [ClosedRange<Int>]) -> MeterValue? {
        guard let map = node.mapping else {
            fail(node, "a value must be a mapping ({name: ..., address: ..., format: ...})")
            return nil
        }
        for key in map.keys {
            if let k = key.scalar?.string, !Self.valueKeys.contains(k) {
                fail(key, "unknown key '\(k)' in a value (expected one of: \(Self.valueKeys.sorted().joined(separator: ", ")))")
            }
        }
        let errorsBefore = errors.count
        let name = scalar(node, "name") ?? ""
        if name.isEmpty || !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) || name.first!.isNumber {
            fail(node, "a value needs a name of letters, digits and _ (the CSV column), got '\(name)'")
        }
        var function = functions[0]
        if let f = map["function"] {
            if let n = f.scalar.flatMap({ UInt8($0.string) }), functions.contains(n) { function = n }
            else { fail(f, "\(name): function '\(f.scalar?.string ?? "?")' is not one the meter answers (\(functions.map(String.init).joined(separator: ", ")))") }
        }
        var address = 0
        if let a = map["address"], let n = a.scalar.flatMap({ Int($0.string) }), (0...0xFFFF).contains(n) { address = n }
        else { fail(map["address"] ?? node, "\(name): address must be a register address 0 to 65535") }
        var format = ValueFormat.uint16
        if let f = map["format"], let parsed = f.scalar.flatMap({ ValueFormat(rawValue: $0.string.uppercased()) }) { format = parsed }
        else {
            fail(map["format"] ?? node, "\(name): format must be one of \(ValueFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let valueOrder = map["order"].map { wordOrder($0) ?? order } ?? order
        var factor = 1.0
        if let f = map["factor"] {
            if let x = f.scalar.flatMap({ Double($0.string) }), x.isFinite, x != 0 { factor = x }
            else { fail(f, "\(name): factor must be a non-zero number (e.g. 0.1)") }
        }
        var decimals = 0
        if let d = map["decimals"] {
            if let n = d.scalar.flatMap({ Int($0.string) }), (0...9).contains(n) { decimals = n }
            else { fail(d, "\(name): decimals must be 0 to 9") }
        }
        var poll = true
        if let p = map["poll"] {
            switch p.scalar?.string.lowercased() {
            case "true": poll = true
            case "false": poll = false
            default: fail(p, "\(name): poll must be true or false")
            }
        }
        guard errors.count == errorsBefore else { return nil }
        let v = MeterValue(name: name, function: function, address: address, format: format, order: valueOrder,
                           factor: factor, decimals: decimals, unit: scalar(node, "unit") ?? "", poll: poll,
                           line: line(node) ?? 0)
        if !answers.contains(where: { $0.contains(v.registers.lowerBound) && $0.contains(v.registers.upperBound) }) {
            fail(node, "\(name): registers \(v.registers.lowerBound)-\(v.registers.upperBound) are not inside one of the answered ranges")
            return nil
        }
        return v
    }

    // MARK: - Pieces

    private mutating func wordOrder(_ node: Node) -> WordOrder? {
        if let o = node.scalar.flatMap({ WordOrder(rawValue: $0.string.uppercased()) }) { return o }
        fail(node, "word order must be one of \(WordOrder.allCases.map(\.rawValue).joined(separator: ", "))")
        return nil
    }

    /// `4000-4045` (or a single address) as a range.
    private mutating func range(_ node: Node, _ what: String) -> ClosedRange<Int>? {
        let text = node.scalar?.string ?? ""
        let parts = text.split(separator: "-").map { Int($0.trimmingSpaces()) }
        if parts.count == 1, let a = parts[0], (0...0xFFFF).contains(a) { return a...a }
        if parts.count == 2, let a = parts[0], let b = parts[1], a <= b, (0...0xFFFF).contains(a), b <= 0xFFFF { return a...b }
        fail(node, "\(what): '\(text)' must be a register range FIRST-LAST, e.g. 4000-4045")
        return nil
    }

    private func scalar(_ node: Node, _ key: String) -> String? {
        node.mapping?[key]?.scalar?.string
    }

    private func line(_ node: Node) -> Int? { node.mark?.line }

    private mutating func fail(_ node: Node, _ message: String) {
        errors.append(SourceError(file: path, line: line(node), message))
    }
}
