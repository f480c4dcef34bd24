extension KafkaConfiguration {
    /// `statistics.interval.ms`: how often each client hands its statistics document
    /// (librdkafka's STATISTICS.md). nil when not set; either nil or `.zero` means no
    /// statistics (librdkafka's default). Setting nil removes the property.
    public var statisticsInterval: Duration? {
        get { duration("statistics.interval.ms") }
        set { setDuration("statistics.interval.ms", newValue) }
    }

    /// `message.timeout.ms`: the longest a produced message waits for its
    /// acknowledgement before it is reported failed; librdkafka's 300 s when not set.
    public var messageTimeout: Duration {
        get { duration("message.timeout.ms") ?? .seconds(300) }
        set { setDuration("message.timeout.ms", newValue) }
    }

    /// `message.max.bytes`: the largest message (producer) or fetch response (consumer)
    /// the client handles; nil when not set (librdkafka's 1,000,000).
    public var messageMaxBytes: Int? {
        get { self["message.max.bytes"].flatMap { Int($0) } }
        set { self["message.max.bytes"] = newValue.map { String($0) } }
    }

    /// Whether `auto.offset.reset` makes a consumer start a partition its group never
    /// committed at its first record (`earliest`, `smallest`, `beginning`) rather than
    /// after its last. nil when not set (librdkafka then starts after the last).
    /// Setting `true` writes `earliest`, `false` writes `latest`, nil removes it.
    public var startsFromEarliest: Bool? {
        get { self["auto.offset.reset"].map { ["earliest", "smallest", "beginning"].contains($0) } }
        set { self["auto.offset.reset"] = newValue.map { $0 ? "earliest" : "latest" } }
    }

    /// A `….ms` property as a duration; nil when not set or not a whole number.
    private func duration(_ key: String) -> Duration? {
        self[key].flatMap { Int64($0) }.map { .milliseconds($0) }
    }

    /// Writes a `….ms` property in whole milliseconds (rounded up); nil removes it.
    private mutating func setDuration(_ key: String, _ value: Duration?) {
        self[key] = value.map { String($0.milliseconds) }
    }
}

/// A property as it was set, for messages that name it.
public struct KafkaPropertySetting: Sendable, Equatable {
    /// The name it was set under (one of its librdkafka spellings).
    public var key: String
    /// Its value as written.
    public var value: String
}

extension KafkaConfiguration {
    /// `acks` (or `request.required.acks`) when set to anything but `all`/`-1`: the
    /// producer then counts a message delivered before every in-sync replica has it.
    public var acknowledgementsBelowAll: KafkaPropertySetting? {
        firstSetting(["acks", "request.required.acks"]) { !["all", "-1"].contains($0.lowercased()) }
    }

    /// `enable.idempotence` when set to false.
    public var idempotenceDisabled: KafkaPropertySetting? {
        firstSetting(["enable.idempotence"]) { Self.isFalse($0) }
    }

    /// `enable.auto.offset.store` when set to true: librdkafka then stores each
    /// offset as its record is handed to the application.
    public var automaticOffsetStoreEnabled: KafkaPropertySetting? {
        firstSetting(["enable.auto.offset.store"]) { !Self.isFalse($0) }
    }

    /// `max.in.flight.requests.per.connection` (or `max.in.flight`) when set above `limit`.
    public func maxInFlightRequests(above limit: Int) -> KafkaPropertySetting? {
        firstSetting(["max.in.flight.requests.per.connection", "max.in.flight"]) { Int($0).map { $0 > limit } ?? false }
    }

    /// The first of `keys` that is set and whose value (spaces and tabs trimmed) `matches`.
    private func firstSetting(_ keys: [String], where matches: (String) -> Bool) -> KafkaPropertySetting? {
        for key in keys {
            guard let value = self[key], matches(Self.trimmed(value)) else { continue }
            return KafkaPropertySetting(key: key, value: value)
        }
        return nil
    }

    /// librdkafka's spellings of false (its boolean parser takes `false`, `f` and `0`).
    private static func isFalse(_ value: String) -> Bool {
        ["false", "f", "0"].contains(value.lowercased())
    }

    private static func trimmed(_ value: String) -> String {
        String(value.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
