import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import PLCCore

/// Prints a one-line error to standard error and exits with `code`: the way every user mistake ends.
func fail(_ message: some CustomStringConvertible, code: Int32 = 2) -> ExitCode {
    Console.write("\(message)\n", to: 2)
    return ExitCode(code)
}

/// Writes text to standard output without buffering surprises when piped.
func emit(_ text: String) {
    Console.write(text, to: 1)
}

/// A status line on standard error.
func note(_ text: String) {
    Console.write(text + "\n", to: 2)
}
