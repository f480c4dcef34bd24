import Kafka

/// One line of `usp-worker broker`'s control language, read from its standard
/// input, so that scripts and tests can stage what real clusters do:
///
/// | line | does |
/// |---|---|
/// | `down <id>` / `down all` | disconnects the broker (all brokers) and refuses connections |
/// | `up <id>` / `up all` | accepts connections again |
/// | `rtt <id> <ms>` / `rtt all <ms>` | delays every response of the broker (all brokers) |
/// | `create <topic> <partitions>` | creates a topic |
///
/// Each line is answered on standard output with `ok <line>` or `error: <why>`.
enum BrokerControl: Equatable {
    /// Which brokers a command is for.
    enum Brokers: Equatable {
        case all
        case one(Int32)
    }

    case down(Brokers)
    case up(Brokers)
    case roundTripTime(Brokers, milliseconds: Int)
    case createTopic(String, partitions: Int32)

    /// Parses one line; the error says what is wrong with it.
    static func parse(_ line: String) throws(BrokerControlError) -> BrokerControl {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        switch (words.first, words.count) {
        case ("down", 2): return .down(try brokers(words[1]))
        case ("up", 2): return .up(try brokers(words[1]))
        case ("rtt", 3):
            guard let milliseconds = Int(words[2]), milliseconds >= 0 else {
                throw BrokerControlError("rtt takes milliseconds, a whole number from 0: \(words[2])")
            }
            return .roundTripTime(try brokers(words[1]), milliseconds: milliseconds)
        case ("create", 3):
            guard let partitions = Int32(words[2]), partitions > 0 else {
                throw BrokerControlError("create takes a positive partition count: \(words[2])")
            }
            return .createTopic(words[1], partitions: partitions)
        default:
            throw BrokerControlError(
                "unknown command \"\(line)\": down <id|all>, up <id|all>, rtt <id|all> <ms>, create <topic> <partitions>"
            )
        }
    }

    private static func brokers(_ word: String) throws(BrokerControlError) -> Brokers {
        if word == "all" { return .all }
        guard let id = Int32(word) else { throw BrokerControlError("a broker is a number or all: \(word)") }
        return .one(id)
    }

    /// Carries the command out on `cluster`.
    func apply(to cluster: EmbeddedKafkaCluster) throws(BrokerControlError) {
        func ids(_ brokers: Brokers) throws(BrokerControlError) -> [Int32] {
            switch brokers {
            case .all: return Array(cluster.brokerIDs)
            case .one(let id):
                guard cluster.brokerIDs.contains(id) else {
                    throw BrokerControlError("no broker \(id); the brokers are \(cluster.brokerIDs)")
                }
                return [id]
            }
        }
        switch self {
        case .down(let brokers): for id in try ids(brokers) { cluster.setBrokerDown(id) }
        case .up(let brokers): for id in try ids(brokers) { cluster.setBrokerUp(id) }
        case .roundTripTime(let brokers, let milliseconds):
            for id in try ids(brokers) { cluster.setBrokerRoundTripTime(id, .milliseconds(milliseconds)) }
        case .createTopic(let name, let partitions):
            do {
                try cluster.createTopic(name, partitions: partitions)
            } catch {
                throw BrokerControlError("\(error)")
            }
        }
    }
}

/// Why a control line was refused.
struct BrokerControlError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
