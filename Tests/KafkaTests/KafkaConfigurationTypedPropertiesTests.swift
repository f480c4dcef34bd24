import Kafka
import Testing

@Suite struct KafkaConfigurationTypedPropertiesTests {
    @Test func durationsReadAndWriteWholeMillisecondsAndFallBackToLibrdkafkasDefaults() {
        var configuration = KafkaConfiguration()
        #expect(configuration.statisticsInterval == nil)
        #expect(configuration.messageTimeout == .seconds(300))
        configuration.statisticsInterval = .microseconds(1500)
        #expect(configuration["statistics.interval.ms"] == "2", "rounded up, never to 0")
        configuration.messageTimeout = .seconds(30)
        #expect(configuration["message.timeout.ms"] == "30000")
        #expect(configuration.messageTimeout == .seconds(30))
        configuration.statisticsInterval = nil
        #expect(configuration["statistics.interval.ms"] == nil)
    }

    @Test func startsFromEarliestKnowsLibrdkafkasSpellings() {
        for (value, earliest) in [("earliest", true), ("smallest", true), ("beginning", true), ("latest", false)] {
            #expect(KafkaConfiguration(["auto.offset.reset": value]).startsFromEarliest == earliest, "\(value)")
        }
        var configuration = KafkaConfiguration()
        #expect(configuration.startsFromEarliest == nil)
        configuration.startsFromEarliest = false
        #expect(configuration["auto.offset.reset"] == "latest")
        configuration.messageMaxBytes = 1_081_405
        #expect(configuration["message.max.bytes"] == "1081405")
        #expect(configuration.messageMaxBytes == 1_081_405)
    }

    @Test func weakeningDeliverySettingsAreFoundUnderEitherSpellingWithTheirValueAsWritten() {
        #expect(
            KafkaConfiguration(["acks": "all", "request.required.acks": " 1 "]).acknowledgementsBelowAll
                .map { [$0.key, $0.value] } == ["request.required.acks", " 1 "])
        #expect(KafkaConfiguration(["acks": "-1"]).acknowledgementsBelowAll == nil)
        #expect(KafkaConfiguration(["enable.idempotence": "F"]).idempotenceDisabled?.value == "F")
        #expect(KafkaConfiguration(["enable.idempotence": "true"]).idempotenceDisabled == nil)
        #expect(KafkaConfiguration(["enable.auto.offset.store": "true"]).automaticOffsetStoreEnabled != nil)
        #expect(KafkaConfiguration(["enable.auto.offset.store": "0"]).automaticOffsetStoreEnabled == nil)
        #expect(KafkaConfiguration(["max.in.flight": "6"]).maxInFlightRequests(above: 5)?.key == "max.in.flight")
        #expect(KafkaConfiguration(["max.in.flight.requests.per.connection": "5"]).maxInFlightRequests(above: 5) == nil)
    }
}
