/// Which dead letters a replay sends back: those whose `error-code` is one of
/// ``errorCodes`` and whose `source-partition` is one of ``sourcePartitions``;
/// an empty set lets every value through, except that refused callers' letters
/// (``RefusedCallers/errorCodes``) are sent only when their code is named.
public struct ReplayFilter: Sendable, Hashable {
    /// Error codes to replay (`BadRequest`, `RequestEntityTooLarge`, …), compared exactly.
    public var errorCodes: Set<String>
    /// Partitions of the inbound topic the letters came from.
    public var sourcePartitions: Set<Int32>

    /// A filter; the default lets every letter through.
    public init(errorCodes: Set<String> = [], sourcePartitions: Set<Int32> = []) {
        self.errorCodes = errorCodes
        self.sourcePartitions = sourcePartitions
    }

    /// Whether a letter with this code and source partition is replayed. A
    /// letter without the header a filter needs is not.
    public func accepts(errorCode: String?, sourcePartition: Int32?) -> Bool {
        if !errorCodes.isEmpty {
            guard let errorCode, errorCodes.contains(errorCode) else { return false }
        } else if let errorCode, RefusedCallers.errorCodes.contains(errorCode) {
            return false
        }
        if !sourcePartitions.isEmpty {
            guard let sourcePartition, sourcePartitions.contains(sourcePartition) else { return false }
        }
        return true
    }

    /// The consumer group a replay with this filter uses unless told otherwise:
    /// `usp-worker-replay`, followed by the filter, e.g.
    /// `usp-worker-replay.error-code=BadRequest,EntityNotPublished.source-partition=0,3`.
    /// Each filter keeps its own place in the dead-letter topic, so a replay of
    /// one code never moves past letters of another code that were not replayed.
    public var defaultGroup: String {
        var group = "usp-worker-replay"
        if !errorCodes.isEmpty { group += ".error-code=" + errorCodes.sorted().joined(separator: ",") }
        if !sourcePartitions.isEmpty {
            group += ".source-partition=" + sourcePartitions.sorted().map(String.init).joined(separator: ",")
        }
        return group
    }
}
