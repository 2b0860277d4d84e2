import ArgumentParser
import Foundation

/// Prints a one-line error to standard error and exits with `code`: the way every user mistake ends.
func fail(_ message: some CustomStringConvertible, code: Int32 = 2) -> ExitCode {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
    return ExitCode(code)
}

/// Writes text to standard output without buffering surprises when piped.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// A status line on standard error.
func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
