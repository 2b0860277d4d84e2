import Foundation
import Testing

/// libmosquitto (and libssl, libcrypto behind it) is opened on first use: a program that does not
/// publish over MQTT never maps it (issue 15: about 1.7 MB of resident memory).
@Suite("Libraries loaded on use")
struct LazyLibraryTests {
    /// The file names of the shared libraries process `pid` has mapped, from /proc.
    static func libraries(_ pid: Int32) throws -> Set<String> {
        // /proc files report size 0: read to the end rather than by size.
        guard let file = FileHandle(forReadingAtPath: "/proc/\(pid)/maps") else { throw PeerError("no /proc/\(pid)/maps") }
        defer { try? file.close() }
        let maps = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        return Set(maps.split(separator: "\n").compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).last.flatMap { $0.contains(".so") ? String($0.split(separator: "/").last!) : nil }
        })
    }

    @Test("plc run with the dashboard but no MQTT maps neither libmosquitto nor libssl and libcrypto")
    func withoutMqtt() throws {
        let run = try DashboardRun()
        let libraries = try Self.libraries(run.process.process.processIdentifier)
        #expect(libraries.contains { $0.hasPrefix("libmodbus.so") }, "\(libraries.sorted())")
        #expect(!libraries.contains { $0.hasPrefix("libmosquitto.so") || $0.hasPrefix("libssl.so") || $0.hasPrefix("libcrypto.so") },
                "\(libraries.sorted())")
    }
}
