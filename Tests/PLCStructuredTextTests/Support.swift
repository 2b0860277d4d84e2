import Foundation
import Testing
import PLCCore
@testable import PLCStructuredText

/// The repository's root folder, found from this file's path.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Every diagnostic of one source text named `t.st`, as printed.
func diagnostics(_ text: String, file: String = "t.st") -> [String] {
    STLibrary.check(sources: [(file, text)]).map(\.description)
}

/// Compiles `text` and runs the FUNCTION_BLOCK `name` once per context, returning the instance.
func run(_ text: String, _ name: String = "T", scans: [ScanContext] = [ScanContext()]) throws -> STInstance {
    let library = try STLibrary.load(sources: [("t.st", text)])
    let instance = try #require(library.functionBlock(name)).instantiate()
    for context in scans { instance.execute(context) }
    return instance
}

/// A FUNCTION_BLOCK T with one output `r` of `type` set by `expression`, run once; the value of `r`.
func evaluate(_ expression: String, _ type: String, locals: String = "") throws -> IECValue {
    let source = """
        FUNCTION_BLOCK T
        VAR_OUTPUT r : \(type); END_VAR
        VAR \(locals) END_VAR
        r := \(expression);
        END_FUNCTION_BLOCK
        """
    let instance = try run(source)
    return try #require(instance.value(of: "r"))
}
