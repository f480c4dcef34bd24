import Kafka
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Configuration")
struct KafkaConfigurationTests {
    @Test func unknownPropertyIsRefusedWithAMessageNamingIt() throws {
        var configuration = KafkaConfiguration()
        configuration["no.such.property"] = "1"
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, onDelivery: { _ in })
        }
        #expect(error?.name == "UNKNOWN_PROPERTY")
        #expect(error?.message.contains("no.such.property") == true)
        #expect(error?.isRetriable == false)
    }

    @Test func invalidValueIsRefusedWithAMessageNamingTheProperty() throws {
        let configuration = KafkaConfiguration(["acks": "sometimes"])
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(configuration: configuration.merging(["group.id": "g"]))
        }
        #expect(error?.name == "INVALID_PROPERTY")
        #expect(error?.message.contains("acks") == true)
    }

    @Test func invalidSecretValueIsRefusedWithoutShowingIt() throws {
        let configuration = KafkaConfiguration([
            "sasl.mechanisms": "PLAIN", "ssl.key.password": "hunter2-secret", "linger.ms": "-5",
        ])
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, onDelivery: { _ in })
        }
        #expect(error?.message.contains("linger.ms") == true)
        #expect(error.map { "\($0)" }?.contains("hunter2") == false)
    }

    @Test func secretsAreRedactedInDescription() {
        var configuration = KafkaConfiguration()
        configuration.bootstrapServers = "localhost:9092"
        configuration["sasl.password"] = "p4ssw0rd"
        configuration["sasl.jaas.config"] =
            "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"jaas-pw\";"
        configuration["ssl.key.pem"] = "-----BEGIN PRIVATE KEY-----abc"
        configuration["ssl.keystore.password"] = "ks-pw"
        configuration["sasl.oauthbearer.client.secret"] = "oauth-secret"
        configuration["sasl.username"] = "alice"
        let text = configuration.description
        for secret in ["p4ssw0rd", "jaas-pw", "PRIVATE KEY", "ks-pw", "oauth-secret"] {
            #expect(!text.contains(secret), "\(secret) leaked")
        }
        #expect(text.contains("bootstrap.servers=localhost:9092"))
        #expect(text.contains("sasl.username=alice"))
        #expect(text.contains("sasl.password=[redacted]"))
    }

    @Test func secretKeysAreRecognised() {
        for key in [
            "sasl.password", "ssl.key.password", "ssl.key.pem", "ssl.keystore.password", "sasl.jaas.config",
            "sasl.oauthbearer.config", "sasl.oauthbearer.client.secret", "ssl.truststore.password", "my.token",
        ] {
            #expect(KafkaConfiguration.isSecret(key), "\(key)")
        }
        for key in ["bootstrap.servers", "group.id", "sasl.username", "sasl.mechanisms", "ssl.ca.location", "acks"] {
            #expect(!KafkaConfiguration.isSecret(key), "\(key)")
        }
    }

    @Test func propertiesKeepInsertionOrderAndReplaceInPlace() {
        var configuration = KafkaConfiguration()
        configuration["b"] = "1"
        configuration["a"] = "2"
        configuration["b"] = "3"
        configuration["c"] = "4"
        configuration["a"] = nil
        #expect(configuration.properties.map(\.key) == ["b", "c"])
        #expect(configuration["b"] == "3")
        #expect(configuration.groupID == nil)
    }

    @Test func propertiesFileIsMerged() throws {
        let path = "/tmp/kafka-config-test-\(getpid()).properties"
        let text =
            "# comment\n\n! also a comment\nbootstrap.servers = host:9092\n  group.id=workers  \nsasl.jaas.config=a=b c=\"d\"\n"
        let file = fopen(path, "w")!
        fputs(text, file)
        fclose(file)
        defer { unlink(path) }
        var configuration = KafkaConfiguration(["group.id": "old"])
        try configuration.merge(propertiesFile: path)
        #expect(configuration.bootstrapServers == "host:9092")
        #expect(configuration.groupID == "workers")
        #expect(configuration["sasl.jaas.config"] == "a=b c=\"d\"")
    }

    @Test func malformedPropertiesFileNamesTheLineNotItsContent() throws {
        let path = "/tmp/kafka-config-bad-\(getpid()).properties"
        let file = fopen(path, "w")!
        fputs("acks=all\nsecretvaluewithoutseparator\n", file)
        fclose(file)
        defer { unlink(path) }
        var configuration = KafkaConfiguration()
        let error = #expect(throws: KafkaError.self) { try configuration.merge(propertiesFile: path) }
        #expect(error?.message.contains(":2") == true)
        #expect(error?.message.contains("secretvalue") == false)
        #expect(throws: KafkaError.self) { try configuration.merge(propertiesFile: "/nonexistent/file.properties") }
    }
}

extension KafkaConfiguration {
    func merging(_ other: [String: String]) -> KafkaConfiguration {
        var copy = self
        for (key, value) in other { copy[key] = value }
        return copy
    }
}
