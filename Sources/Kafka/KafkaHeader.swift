/// A record header. Kafka allows repeated names and null values; both are kept.
public struct KafkaHeader: Sendable, Hashable {
    public var name: String
    /// `nil` is a null value, distinct from an empty one.
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }
}
