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
        .library(name: "Authentication", targets: ["Authentication"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // jwt-kit 5 needs swift-crypto 4; the create pipeline works with either.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        // Test only: the loopback JWKS endpoint the key-rotation tests serve.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
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
        // Bearer tokens: verify (JWT, keys from JWKS or a shared secret) and authorize
        // (permission, tenant, vendor). Front-end neutral: the worker and an HTTP endpoint share it.
        .target(
            name: "Authentication",
            dependencies: [
                "CreatePipeline",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Consume, create, publish, commit.
        .target(
            name: "Worker",
            dependencies: [
                "Authentication", "CreatePipeline", "Kafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Realistic creation events for the demo, benchmarks and tests.
        .target(name: "SampleEvents"),
        .executableTarget(
            name: "usp-worker",
            dependencies: [
                "Authentication", "CreatePipeline", "Kafka", "SampleEvents", "Worker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "usp-bench",
            dependencies: [
                "Authentication", "CreatePipeline", "Kafka", "SampleEvents", "SampleTokens", "Worker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Coverage-guided fuzz targets: `Fuzz/run` builds them with libFuzzer (-sanitize=fuzzer);
        // a plain build makes tools that replay a corpus through the same entry.
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Fuzz/FuzzSupport"),
        .executableTarget(
            name: "usp-fuzz-pipeline", dependencies: ["CreatePipeline", "FuzzSupport"], path: "Fuzz/PipelineFuzzer"),
        .executableTarget(
            name: "usp-fuzz-token",
            dependencies: [
                "Authentication", "FuzzSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/TokenFuzzer"
        ),
        // Signing keys made at run time and tokens signed with them, for tests and benchmarks.
        .target(
            name: "SampleTokens",
            dependencies: [
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // A loopback JWKS endpoint and key files, shared by the test targets.
        .target(
            name: "AuthenticationTestSupport",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/AuthenticationTestSupport"
        ),
        .testTarget(name: "CreatePipelineTests", dependencies: ["CreatePipeline"]),
        .testTarget(
            name: "AuthenticationTests",
            dependencies: [
                "Authentication", "AuthenticationTestSupport", "CreatePipeline", "SampleTokens",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(
            name: "WorkerTests",
            dependencies: ["Worker", "Kafka", "CreatePipeline", "SampleEvents", "Authentication", "AuthenticationTestSupport", "SampleTokens"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
