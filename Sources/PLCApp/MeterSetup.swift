#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
public import PLCCore
public import PLCGraph
public import PLCMeters

/// Gives each `MeterRead` of a program its model (from `sModel`, a constant) before the first scan,
/// and tells `--simulate` which meters the program's buses have.
public enum MeterSetup {
    /// One meter a program reads: its instance, model name, slave address and line.
    public struct Meter: Sendable {
        public var instance: String
        public var model: String
        public var slave: Int
        public var line: Int
        /// The file `line` is in: where the model was written (a program or function block file).
        public var file: String
        /// The bus the instance names (`bus:`), nil for the program's only bus.
        public var bus: String? = nil
    }

    /// The meters of a program file: every MeterRead instance with its constant model and slave.
    public static func meters(in file: ProgramFile) throws(ProgramErrors) -> [Meter] {
        var errors: [SourceError] = []
        var result: [Meter] = []
        for instance in file.instances where instance.type.uppercased() == MeterRead.typeName.uppercased() {
            let model = constant(instance, "sModel", in: file, default: "rx380", errors: &errors)
            let unit = constant(instance, "uiUnitId", in: file, default: "1", errors: &errors)
            guard let model, let unit else { continue }
            guard let slave = Int(unit.text), (1...247).contains(slave) else {
                errors.append(SourceError(file: unit.file, line: unit.line, "\(instance.name).uiUnitId '\(unit.text)' must be 1 to 247"))
                continue
            }
            result.append(Meter(instance: instance.name, model: model.text, slave: slave, line: model.line, file: model.file,
                               bus: instance.bus))
        }
        if !errors.isEmpty { throw ProgramErrors(errors) }
        return result
    }

    /// Loads every MeterRead's model and configures the block; a missing or bad model is a `file:line` error.
    public static func configure(_ program: CompiledProgram, file: ProgramFile, catalog: MeterCatalog) throws(ProgramErrors) {
        var errors: [SourceError] = []
        var models: [String: MeterModel] = [:]
        var failed: Set<String> = []        // a bad model is reported once, not once per instance using it
        let meters = try meters(in: file)
        for meter in meters {
            guard let block = program.instances.first(where: { $0.name == meter.instance })?.block as? MeterRead else { continue }
            guard !failed.contains(meter.model) else { continue }
            do throws(ProgramErrors) {
                let model: MeterModel
                if let known = models[meter.model] { model = known } else {
                    model = try catalog.load(meter.model, file: meter.file, line: meter.line)
                }
                models[meter.model] = model
                block.configure(model)
                block.uiUnitId = UInt16(meter.slave)
            } catch {
                failed.insert(meter.model)
                errors += error.errors
            }
        }
        if !errors.isEmpty { throw ProgramErrors(errors) }
    }

    /// `plc check`'s lines for the meters: instance, model at slave, and the requests of one poll.
    public static func summary(_ program: CompiledProgram) -> String {
        let meters = program.instances.compactMap { i in (i.block as? MeterRead).map { (i.name, $0) } }
        guard !meters.isEmpty else { return "" }
        let width = meters.map(\.0.count).max() ?? 0
        var out = "\nMeters (requests per poll)\n"
        for (name, block) in meters {
            guard let model = block.model else { continue }
            let groups = model.groups
            out += "  \(name.paddingSpaces(toLength: width))  \(model.name)@\(block.uiUnitId)  "
                + "\(groups.count): \(groups.map(\.description).joined(separator: ", "))  (\(relative(model.path)))\n"
        }
        return out
    }

    /// `path` relative to the working folder when it lies inside it.
    private static func relative(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    /// The text of a pin wired to a constant (a literal, or a variable's initial value, so `--set`
    /// applies), with the file and line where it was written, for errors about it: inside a function
    /// block, the literal of the instance that passed it.
    private static func constant(_ instance: ProgramFile.Instance, _ pin: String, in file: ProgramFile,
                                 default fallback: String, errors: inout [SourceError]) -> (text: String, file: String, line: Int)? {
        guard let wire = instance.inputs.first(where: { $0.pin.uppercased() == pin.uppercased() && $0.index == nil }) else {
            return (fallback, instance.file ?? file.path, instance.line)
        }
        let written = (file: wire.file ?? file.path, line: wire.line)
        switch wire.source {
        case .literal(let text):
            return (unquoted(text), written.file, written.line)
        case .name(let name):
            if let variable = file.variables.first(where: { $0.decl.name.uppercased() == name.uppercased() }) {
                return (IECLiteral.format(variable.decl.initial, as: variable.decl.type).trimming(where: { $0 == "'" }),
                        file.path, variable.line)
            }
            return (unquoted(name), written.file, written.line)
        case .pin:
            errors.append(SourceError(file: written.file, line: written.line,
                                      "\(instance.name).\(pin) must be a constant or a program variable (it is read once, at start)"))
            return nil
        }
    }

    private static func unquoted(_ text: String) -> String {
        text.count >= 2 && text.hasPrefix("'") && text.hasSuffix("'") ? String(text.dropFirst().dropLast()) : text
    }
}
