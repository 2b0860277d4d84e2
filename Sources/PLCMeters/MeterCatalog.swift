#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
public import PLCCore

/// Finds meter model files by name: `<folder>/<name>.yaml` in the first folder that has it.
public struct MeterCatalog: Sendable {
    /// The folders searched, in order.
    public let folders: [String]

    public init(folders: [String]) {
        self.folders = folders
    }

    /// The usual places: `$PLC_METERS`, `meters/` beside or above the program folder, `./meters`,
    /// and the `meters/` of the checkout or install the running `plc` comes from.
    public static func standard(near location: String? = nil) -> MeterCatalog {
        var folders: [String] = []
        if let env = ProcessInfo.processInfo.environment["PLC_METERS"], !env.isEmpty { folders.append(env) }
        if let location {
            var isDirectory = false
            let isFile = FileManager.default.fileExists(atPath: location, isDirectory: &isDirectory) && !isDirectory
            for dir in ancestors(of: location, count: 4).dropFirst(isFile ? 1 : 0) { folders.append(dir + "/meters") }
        }
        let cwd = FileManager.default.currentDirectoryPath
        folders.append(cwd + "/meters")
        if let exe = CommandLine.arguments.first {
            let absolute = exe.hasPrefix("/") ? exe : cwd + "/" + exe
            for dir in ancestors(of: absolute.pathResolvingSymlinks, count: 5).dropFirst() {
                folders += [dir + "/meters", dir + "/share/plc/meters"]
            }
        }
        var seen = Set<String>()
        return MeterCatalog(folders: folders.filter { seen.insert($0).inserted })
    }

    /// `path` (made absolute) and its parent folders, nearest first.
    static func ancestors(of path: String, count: Int) -> [String] {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts = absolute.split(separator: "/").map(String.init).filter { $0 != "." }
        var result: [String] = []
        while result.count < count, !parts.isEmpty {
            result.append("/" + parts.joined(separator: "/"))
            parts.removeLast()
        }
        return result
    }

    /// The path of model `name`, or nil when no folder has it.
    public func path(of name: String) -> String? {
        let file = name.lowercased() + ".yaml"
        return folders.lazy.map { $0.pathAppending(file) }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Loads model `name`; an unknown name or a bad file is a `file:line` error.
    public func load(_ name: String, file: String = "meters", line: Int? = nil) throws(ProgramErrors) -> MeterModel {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw ProgramErrors([SourceError(file: file, line: line, "meter model '\(name)' is not a model name (e.g. rx380)")])
        }
        guard let path = path(of: name) else {
            throw ProgramErrors([SourceError(file: file, line: line, "no meter model '\(name)': no \(name.lowercased()).yaml in "
                                             + "\(folders.prefix(3).joined(separator: ", ")) (set PLC_METERS to the meters folder)")])
        }
        return try MeterModelLoader.load(path)
    }
}
