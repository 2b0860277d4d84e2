// swift-tools-version: 6.1
import PackageDescription

/// One set of strict settings for every Swift target.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Modules whose classes a scan runs: blocks belong to the one thread that runs their task, and pins
/// are never passed inout, so the dynamic exclusivity checks on every pin access buy nothing (perf
/// showed them taking half of a scan); the static checks stay on. These are unsafe flags, which
/// SwiftPM refuses in a package used as a dependency, so the package publishes no library product:
/// `plc` is its product. Without them `plc bench` (release, one run each on the shared 2-core
/// machine) took 2.5x as long for blinker (845 vs 344 ns/scan) and 25x for rx380_main (19849 vs
/// 781 ns/scan), so the flags stay and the library products went.
let scan: [SwiftSetting] = strict + [.unsafeFlags(["-enforce-exclusivity=unchecked", "-cross-module-optimization"])]

// Linux only: the sources import Glibc and link libmodbus, libyaml and unixODBC through
// pkg-config; built and tested on Debian 12 (x86_64) and Raspberry Pi OS (arm64). No Apple
// platform is declared, since none is built or tested.
let package = Package(
    name: "PLCRuntime",
    products: [
        .executable(name: "plc", targets: ["plc"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CModbus",
            pkgConfig: "libmodbus",
            providers: [.apt(["libmodbus-dev"])]
        ),
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(name: "CUnixODBC", pkgConfig: "odbc", providers: [.apt(["unixodbc-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .target(name: "PLCAuth", dependencies: ["CSodium", "PLCCore"], swiftSettings: strict),
        .target(name: "CAllocCounter"),
        .target(name: "CBuildInfo"),
        .target(name: "PLCSupport", swiftSettings: scan),
        .target(name: "PLCCore", dependencies: ["PLCSupport"], swiftSettings: scan),
        .target(name: "PLCYAML", dependencies: ["CLibYAML", "PLCCore"], swiftSettings: strict),
        .target(name: "PLCBlocks", dependencies: ["PLCCore"], swiftSettings: scan),
        .target(
            name: "PLCGraph",
            dependencies: ["PLCCore", "PLCYAML"],
            swiftSettings: scan
        ),
        .target(name: "PLCRuntime", dependencies: ["PLCCore", "PLCGraph"], swiftSettings: strict),
        .target(
            name: "PLCModbus",
            dependencies: ["CModbus", "PLCCore"],
            swiftSettings: scan
        ),
        .target(name: "PLCStorage", dependencies: ["PLCCore", "CBuildInfo"], swiftSettings: scan),
        .target(name: "PLCExport", dependencies: ["PLCCore", "PLCGraph"], swiftSettings: strict),
        .target(
            name: "PLCApp",
            dependencies: ["PLCCore", "PLCBlocks", "PLCYAML", "PLCGraph", "PLCRuntime", "PLCModbus", "PLCStorage", "PLCMeters",
                           "PLCSql", "PLCMqtt"],
            swiftSettings: strict
        ),
        .target(name: "PLCStructuredText", dependencies: ["PLCCore"], swiftSettings: strict),
        .target(name: "PLCReport", dependencies: ["PLCBlocks", "PLCYAML", "PLCGraph"], swiftSettings: strict),
        .target(
            name: "PLCHttp",
            dependencies: ["PLCCore", "PLCGraph", "PLCRuntime", "PLCModbus", "PLCStorage", "PLCAuth", "PLCReport"],
            swiftSettings: strict
        ),
        .target(
            name: "PLCMeters",
            dependencies: ["PLCCore", "PLCYAML", "PLCModbus"],
            swiftSettings: strict
        ),
        .target(name: "PLCSql", dependencies: ["CUnixODBC", "PLCCore", "PLCStorage"], swiftSettings: strict),
        .target(name: "PLCMqtt", dependencies: ["CMosquittoLoader", "PLCCore", "PLCStorage"], swiftSettings: strict),
        .target(name: "CMosquittoLoader"),
        .executableTarget(
            name: "plc",
            dependencies: [
                "PLCCore", "PLCBlocks", "PLCYAML", "PLCGraph", "PLCRuntime", "PLCModbus", "PLCStorage", "PLCExport", "PLCApp",
                "CAllocCounter", "PLCStructuredText", "PLCReport", "PLCHttp", "CBuildInfo", "PLCMeters", "PLCSql", "PLCMqtt", "PLCStructuredTextModbus", "PLCAuth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PLCUnitTests",
            dependencies: ["PLCCore", "PLCBlocks", "PLCYAML", "PLCGraph", "PLCRuntime", "PLCModbus", "PLCStorage", "PLCExport",
                           "PLCApp", "PLCReport", "PLCHttp", "PLCMeters", "PLCSql", "PLCMqtt", "PLCStructuredText"],
            swiftSettings: strict
        ),
        .target(
            name: "PLCStructuredTextModbus",
            dependencies: ["PLCStructuredText", "PLCModbus"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "st-bench",
            dependencies: ["PLCStructuredText", "PLCBlocks", "PLCCore", "CAllocCounter"],
            path: "Sources/STBench",
            swiftSettings: strict
        ),
        .testTarget(
            name: "PLCStructuredTextTests",
            dependencies: ["PLCStructuredText", "PLCStructuredTextModbus", "PLCModbus", "PLCCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PLCEndToEndTests",
            dependencies: ["plc", "PLCCore", "PLCBlocks", "PLCYAML", "PLCGraph", "PLCModbus", "PLCStorage", "PLCApp", "PLCHttp", "PLCMeters",
                           "PLCSql", "PLCStructuredText", "PLCStructuredTextModbus", "PLCAuth"],
            swiftSettings: strict
        ),
    ]
)
