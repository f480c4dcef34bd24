// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "usp-worker",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "usp-worker", targets: ["usp-worker"]),
        .executable(name: "usp-bench", targets: ["usp-bench"]),
        .library(name: "CreatePipeline", targets: ["CreatePipeline"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "Worker", targets: ["Worker"]),
        .library(name: "OperatorTools", targets: ["OperatorTools"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // The create pipeline: request bytes in, entity bytes or a Graph error out. No Kafka.
        .target(
            name: "CreatePipeline",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // librdkafka, reached through pkg-config `rdkafka` (Debian: librdkafka-dev).
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // A small, safe Swift layer over librdkafka, with the embedded (mock) cluster.
        .target(name: "Kafka", dependencies: ["CRdKafka"]),
        // Consume, create, publish, commit.
        .target(
            name: "Worker",
            dependencies: [
                "CreatePipeline", "Kafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // zlib (pkg-config `zlib`, Debian: zlib1g-dev), for reading gzip backfill files.
        // Used directly rather than through compress-nio: its inflate does not say
        // where a gzip member ends, so it can neither tell a truncated file from a
        // complete one nor go on into the next member of a concatenated file, and a
        // backfill must do both; it would also bring SwiftNIO into a file reader.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // The operators' tools: load a JSON-lines file into the inbound topic
        // (backfill) and send dead letters back to it (replay).
        .target(
            name: "OperatorTools",
            dependencies: [
                "CZlib", "CreatePipeline", "Kafka",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Realistic creation events for the demo, benchmarks and tests.
        .target(name: "SampleEvents"),
        .executableTarget(
            name: "usp-worker",
            dependencies: [
                "CreatePipeline", "Kafka", "OperatorTools", "SampleEvents", "Worker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "usp-bench",
            dependencies: [
                "CreatePipeline", "Kafka", "SampleEvents", "Worker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "CreatePipelineTests", dependencies: ["CreatePipeline"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "Kafka", "CreatePipeline", "SampleEvents"]),
        .testTarget(
            name: "OperatorToolsTests",
            dependencies: [
                "OperatorTools", "Worker", "Kafka", "CreatePipeline", "SampleEvents",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
