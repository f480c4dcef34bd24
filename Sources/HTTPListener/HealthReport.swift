import Foundation

/// The body of `/livez` and `/readyz`: whether the check passed and, when it
/// did not, why, in words an operator can act on.
///
/// `{"status":"ready","worker":"consuming","reasons":[]}`, or with status 503
/// `{"status":"not ready","worker":"joining","reasons":["the consumer is joining its group (join state wait-join)"]}`.
public struct HealthReport: Sendable, Encodable {
    public enum Check: Sendable {
        case liveness, readiness
    }

    /// A partition that has had lag without progress for longer than the bound.
    public struct StuckPartition: Sendable, Encodable, Equatable {
        public var topic: String
        public var partition: Int32
        public var lag: Int64
        public var secondsWithoutProgress: Int
    }

    /// `live`, `not live`, `ready` or `not ready`.
    public var status: String
    /// The worker's state: starting, joining, consuming, draining, stopped or failed.
    public var worker: String
    /// Why the check failed; empty when it passed.
    public var reasons: [String]
    /// `/livez` only: the stuck partitions, if any.
    public var stuckPartitions: [StuckPartition]?

    /// Whether the check passed (HTTP 200; otherwise 503).
    public var passed: Bool { reasons.isEmpty }

    init(check: Check, worker: String, reasons: [String], stuckPartitions: [StuckPartition]? = nil) {
        let name = check == .liveness ? "live" : "ready"
        status = reasons.isEmpty ? name : "not \(name)"
        self.worker = worker
        self.reasons = reasons
        self.stuckPartitions = stuckPartitions
    }

    enum CodingKeys: String, CodingKey {
        case status, worker, reasons, stuckPartitions
    }

    /// The JSON body, keys in a fixed order.
    var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, integers and arrays of them cannot fail.
        return (try? encoder.encode(self)) ?? Data(#"{"status":"unknown"}"#.utf8)
    }
}
