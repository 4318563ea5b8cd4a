// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Cairn",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cairn", targets: ["cairn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The gateway's in-pipeline fast path reads Hummingbird's HTTP parts (NIOHTTPTypes).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Pipeline specs are YAML (ARCHITECTURE.md: Yams); steps are child processes (swift-subprocess).
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // Outbound HTTP: a replica's external runtime (ARCHITECTURE.md: async-http-client).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // /metrics in Prometheus' text format (ARCHITECTURE.md: swift-metrics + swift-prometheus).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "CairnCore",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CairnHTTP",
            dependencies: [
                "CairnCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "CairnStorage",
            dependencies: [
                "CairnCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "CairnTracking",
            dependencies: [
                "CairnCore", "CairnStorage", "CairnHTTP",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .target(
            name: "CairnRegistry",
            dependencies: [
                "CairnCore", "CairnStorage", "CairnHTTP", "CairnTracking",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .target(
            name: "CairnPipelines",
            dependencies: [
                "CairnCore", "CairnStorage", "CairnHTTP", "CairnTracking", "CairnRegistry",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // ONNX Runtime's C API, declared by hand and opened with dlopen (ARCHITECTURE.md).
        .target(name: "COnnxRuntime"),
        .target(
            name: "CairnServing",
            dependencies: [
                "CairnCore", "CairnHTTP", "COnnxRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Deployments: traffic splits, rollout analysis and autoscaling decisions.
        .target(
            name: "CairnMonitoring",
            dependencies: [
                "CairnCore", "CairnStorage", "CairnHTTP",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "CairnFeatures",
            dependencies: [
                "CairnCore", "CairnStorage", "CairnHTTP",
                .product(name: "Yams", package: "Yams"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "CairnDeploy",
            dependencies: [
                "CairnCore", "CairnStorage", "CairnHTTP", "CairnRegistry", "CairnMonitoring", "CairnFeatures",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "CairnUI",
            dependencies: [
                "CairnCore", "CairnHTTP", "CairnStorage", "CairnTracking", "CairnRegistry", "CairnPipelines", "CairnDeploy", "CairnMonitoring",
                "CairnFeatures",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .target(
            name: "CairnServer",
            dependencies: [
                "CairnCore", "CairnStorage", "CairnHTTP", "CairnTracking", "CairnRegistry", "CairnPipelines", "CairnUI", "CairnDeploy",
                "CairnMonitoring", "CairnFeatures",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "cairn",
            dependencies: [
                "CairnMonitoring", "CairnFeatures",
                "CairnServer", "CairnStorage", "CairnPipelines", "CairnServing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "CairnTestSupport",
            dependencies: [
                "CairnCore", "CairnStorage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/CairnTestSupport"
        ),
        .testTarget(name: "CairnCoreTests", dependencies: ["CairnCore"]),
        .testTarget(name: "CairnHTTPTests", dependencies: ["CairnHTTP"]),
        .testTarget(
            name: "CairnStorageTests",
            dependencies: ["CairnStorage", "CairnTestSupport", .product(name: "SQLKit", package: "sql-kit")]
        ),
        .testTarget(
            name: "CairnTrackingTests",
            dependencies: ["CairnTracking", "CairnStorage", "CairnTestSupport"]
        ),
        .testTarget(
            name: "CairnRegistryTests",
            dependencies: ["CairnRegistry", "CairnTracking", "CairnStorage", "CairnTestSupport"]
        ),
        .testTarget(name: "CairnUITests", dependencies: ["CairnUI"]),
        .testTarget(
            name: "CairnServingTests",
            dependencies: ["CairnServing", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
        .testTarget(name: "CairnMonitoringTests", dependencies: ["CairnMonitoring", "CairnStorage", "CairnTestSupport"]),
        .testTarget(name: "CairnFeaturesTests", dependencies: ["CairnFeatures", "CairnCore", "CairnHTTP", "CairnStorage", "CairnTestSupport",
                                                       .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "CairnDeployTests", dependencies: ["CairnDeploy", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(
            name: "CairnPipelinesTests",
            dependencies: ["CairnPipelines", "CairnTracking", "CairnStorage", "CairnTestSupport"]
        ),
        .testTarget(
            name: "CairnServerTests",
            dependencies: [
                "CairnServer", "CairnTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
