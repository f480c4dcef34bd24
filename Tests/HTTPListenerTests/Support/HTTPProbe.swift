import Foundation
import HummingbirdTesting
import KafkaTestSupport

/// Requests to the worker's listener over real HTTP on loopback.
struct HTTPProbe: Sendable {
    let port: Int

    struct Reply: Sendable {
        var status: Int
        var contentType: String?
        var body: String
    }

    func get(_ path: String) async throws -> Reply {
        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            let response = try await client.get(path)
            return Reply(
                status: Int(response.status.code), contentType: response.headers[.contentType],
                body: response.body.map { String(buffer: $0) } ?? "")
        }
    }

    /// `/livez` or `/readyz`: the status and the decoded report.
    func check(_ path: String) async throws -> (status: Int, report: HealthBody) {
        let reply = try await get(path)
        let report = try JSONDecoder().decode(HealthBody.self, from: Data(reply.body.utf8))
        return (reply.status, report)
    }

    func scrape() async throws -> Scrape {
        let reply = try await get("/metrics")
        guard reply.status == 200 else { throw TestFailure("/metrics answered \(reply.status)") }
        return Scrape(reply.body)
    }
}

/// The JSON body of `/livez` and `/readyz`, as a client reads it.
struct HealthBody: Decodable, Sendable {
    struct Stuck: Decodable, Sendable {
        var topic: String
        var partition: Int32
        var lag: Int64
        var secondsWithoutProgress: Int
    }

    var status: String
    var worker: String
    var reasons: [String]
    var stuckPartitions: [Stuck]?
}

/// One Prometheus text exposition, as samples by series (`name{labels}`).
struct Scrape: Sendable {
    let text: String
    let samples: [String: Double]

    init(_ text: String) {
        self.text = text
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        self.samples = samples
    }

    /// The sample of the series, e.g. `usp_dead_letters_total{code="BadRequest"}`.
    subscript(series: String) -> Double? { samples[series] }

    /// Every sample of a metric, by its labels (`{…}`, or "" without labels).
    func family(_ name: String) -> [String: Double] {
        var family: [String: Double] = [:]
        for (series, value) in samples {
            if series == name {
                family[""] = value
            } else if series.hasPrefix(name + "{") {
                family[String(series.dropFirst(name.count))] = value
            }
        }
        return family
    }

    /// The lag of each partition (`usp_consumer_lag{topic,partition}`).
    func lags(topic: String) -> [Int32: Double] {
        var lags: [Int32: Double] = [:]
        for (labels, value) in family("usp_consumer_lag") where labels.contains(#"topic="\#(topic)""#) {
            guard let start = labels.range(of: #"partition=""#)?.upperBound,
                let end = labels[start...].firstIndex(of: "\""), let partition = Int32(labels[start..<end])
            else { continue }
            lags[partition] = value
        }
        return lags
    }
}
