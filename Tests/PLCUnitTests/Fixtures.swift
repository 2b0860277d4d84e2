import Foundation
import PLCApp
import PLCCore

/// Paths into the repository, found from this file's location.
enum Fixtures {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let blocks = root.appendingPathComponent("blocks")
    static let programs = root.appendingPathComponent("programs")

    /// Every block type with a declaration under blocks/: the one library the command line uses.
    static let library = BlockLibrary.all

    /// The library's types that `blocks/` declares: all but Codesys's standard functions used as FBD
    /// boxes (CONCAT), which have no ST twin for `blocks/` vectors to test (ConcatTests covers it).
    static let declaredTypeNames = library.typeNames.filter { $0 != "CONCAT" }

    /// Every `blocks/<Type>/vectors/*.csv`, as (type name, path).
    static var vectorFiles: [VectorCase] {
        let fm = FileManager.default
        var cases: [VectorCase] = []
        for type in (try? fm.contentsOfDirectory(atPath: blocks.path))?.sorted() ?? [] {
            let dir = blocks.appendingPathComponent(type).appendingPathComponent("vectors")
            for file in (try? fm.contentsOfDirectory(atPath: dir.path))?.sorted() ?? [] where file.hasSuffix(".csv") {
                cases.append(VectorCase(type: type, path: dir.appendingPathComponent(file).path))
            }
        }
        return cases
    }

    /// A scratch file holding `text`, removed by the caller when done.
    static func temporaryFile(_ text: String, name: String = "vectors.csv") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plc-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// One golden vector file and the block type it drives.
struct VectorCase: CustomTestStringConvertible, Sendable {
    let type: String
    let path: String
    var testDescription: String { "\(type)/\((path as NSString).lastPathComponent)" }
}

import Testing
