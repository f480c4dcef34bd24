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
        .library(name: "OutboundRecords", targets: ["OutboundRecords"]),
        .library(name: "HTTPCreate", targets: ["HTTPCreate"]),
        .library(name: "HTTPListener", targets: ["HTTPListener"]),
        .library(name: "Authentication", targets: ["Authentication"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        // jwt-kit 5 needs swift-crypto 4; the create pipeline works with either.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
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
                "Authentication", "CreatePipeline", "Kafka", "OutboundRecords",
                .product(name: "CoreMetrics", package: "swift-metrics"),
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
        // The outbound records of the contract ("Outbound records"), shared by every front end.
        .target(name: "OutboundRecords", dependencies: ["CreatePipeline", "Kafka"]),
        // POST /security/userSecurityProfiles over HTTP: routes for a Hummingbird router.
        .target(
            name: "HTTPCreate",
            dependencies: [
                "Authentication", "CreatePipeline", "Kafka", "OutboundRecords",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What operators see of a running worker: the HTTP listener with
        // /metrics (Prometheus), /livez and /readyz, over HTTPS when given a certificate.
        .target(
            name: "HTTPListener",
            dependencies: [
                "Authentication", "Kafka", "Worker",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
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
                "Authentication", "CreatePipeline", "HTTPCreate", "Kafka", "OperatorTools", "HTTPListener",
                "SampleEvents",
                "Worker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
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
        // A loopback JWKS endpoint, key files and a started verifier, shared by the test targets.
        .target(
            name: "AuthenticationTestSupport",
            dependencies: [
                "Authentication", "SampleTokens",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/AuthenticationTestSupport"
        ),
        // One test bed (embedded cluster, topics named for the test, Kafka and worker configuration,
        // load, read back, output audit), `usp-worker` and `usp-worker broker` as child processes,
        // and `eventually`: shared by the test targets that run Kafka.
        .target(
            name: "KafkaTestSupport",
            dependencies: [
                "CreatePipeline", "Kafka", "SampleEvents", "Worker",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/KafkaTestSupport"
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
            dependencies: [
                "Worker", "Kafka", "KafkaTestSupport", "CreatePipeline", "SampleEvents", "Authentication",
                "AuthenticationTestSupport", "SampleTokens",
            ]
        ),
        .testTarget(
            name: "OperatorToolsTests",
            dependencies: [
                "OperatorTools", "Worker", "Kafka", "KafkaTestSupport", "CreatePipeline", "SampleEvents",
                "Authentication", "AuthenticationTestSupport", "SampleTokens",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "HTTPCreateTests",
            dependencies: [
                "Authentication", "AuthenticationTestSupport", "CreatePipeline", "HTTPCreate", "Kafka",
                "KafkaTestSupport", "OutboundRecords", "SampleTokens", "Worker",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "HTTPListenerTests",
            dependencies: [
                "Kafka", "KafkaTestSupport", "HTTPListener", "SampleEvents", "Worker",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
