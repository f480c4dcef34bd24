import Testing

@testable import Kafka

/// The values of secret properties are cut out of the texts librdkafka
/// composes (log lines, client errors), whatever the line says around them.
struct SecretValuesTests {
    @Test func everyConfiguredSecretValueIsReplacedAndOtherValuesStay() throws {
        let password = "pw-\(UInt64.random(in: 0...UInt64.max))"
        let keyPassword = password + "-longer"
        var configuration = KafkaConfiguration()
        configuration["sasl.username"] = "usp"
        configuration["sasl.password"] = password
        configuration["ssl.key.password"] = keyPassword
        // Handing the configuration to librdkafka registers its secrets.
        _ = try? KafkaProducer(configuration: configuration) { _ in }

        let text = SecretValues.redacting("user usp: \(password), key \(keyPassword) (\(password))")
        #expect(text == "user usp: [redacted], key [redacted] ([redacted])")
        #expect(SecretValues.redacting("nothing secret here") == "nothing secret here")
    }
}
