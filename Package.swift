// swift-tools-version: 6.1
import PackageDescription

/// One set of strict settings for every Swift target.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "PLCRuntime",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "plc", targets: ["plc"]),
        .library(name: "PLCCore", targets: ["PLCCore"]),
        .library(name: "PLCBlocks", targets: ["PLCBlocks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CModbus",
            pkgConfig: "libmodbus",
            providers: [.apt(["libmodbus-dev"])]
        ),
        .systemLibrary(name: "CUnixODBC", pkgConfig: "odbc", providers: [.apt(["unixodbc-dev"])]),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .target(name: "CAllocCounter"),
        .target(name: "PLCCore", swiftSettings: strict),
        .target(name: "PLCBlocks", dependencies: ["PLCCore"], swiftSettings: strict),
        .target(
            name: "PLCGraph",
            dependencies: ["PLCCore", "PLCBlocks", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "PLCRuntime", dependencies: ["PLCCore", "PLCGraph"], swiftSettings: strict),
        .target(
            name: "PLCModbus",
            dependencies: ["CModbus", "PLCCore", "PLCGraph"],
            swiftSettings: strict
        ),
        .target(name: "PLCStorage", dependencies: ["PLCCore"], swiftSettings: strict),
        .target(name: "PLCSql", dependencies: ["CUnixODBC", "PLCCore", "PLCStorage"], swiftSettings: strict),
        .target(name: "PLCMqtt", dependencies: ["CMosquitto", "PLCCore", "PLCStorage"], swiftSettings: strict),
        .target(name: "PLCExport", dependencies: ["PLCCore", "PLCGraph"], swiftSettings: strict),
        .executableTarget(
            name: "plc",
            dependencies: [
                "PLCCore", "PLCBlocks", "PLCGraph", "PLCRuntime", "PLCModbus", "PLCStorage", "PLCExport", "CAllocCounter", "PLCSql", "PLCMqtt",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PLCUnitTests",
            dependencies: ["PLCCore", "PLCBlocks", "PLCGraph", "PLCRuntime", "PLCModbus", "PLCStorage", "PLCExport", "PLCSql", "PLCMqtt"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PLCEndToEndTests",
            dependencies: ["plc", "PLCCore", "PLCBlocks", "PLCGraph", "PLCModbus", "PLCStorage", "PLCSql"],
            swiftSettings: strict
        ),
    ]
)
