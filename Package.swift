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
        .library(name: "Operations", targets: ["Operations"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
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
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What operators see of a running worker: the HTTP listener with
        // /metrics (Prometheus), /livez and /readyz.
        .target(
            name: "Operations",
            dependencies: [
                "Kafka", "Worker",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Realistic creation events for the demo, benchmarks and tests.
        .target(name: "SampleEvents"),
        .executableTarget(
            name: "usp-worker",
            dependencies: [
                "CreatePipeline", "Kafka", "Operations", "SampleEvents", "Worker",
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
            name: "OperationsTests",
            dependencies: [
                "Kafka", "Operations", "SampleEvents", "Worker",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
