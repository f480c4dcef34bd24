import Foundation
import Testing

@Suite("When the broker cannot take the entity", .serialized)
struct BrokerUnavailableTests {
    @Test(
        "Broker down: 503 with Retry-After after the delivery timeout, nothing published; broker back: creates succeed again"
    )
    func brokerDownGets503ThenRecovers() async throws {
        let bed = try HTTPCreateTestBed()
        let body = try Examples.request
        let outcome = try await bed.withServer(deliveryTimeout: .milliseconds(1_500)) { port in
            var created: [String] = []
            let warmUp = try await HTTPExchange(body: body).send(to: port)
            #expect(warmUp.status == 201)
            created.append(warmUp.json?["id"] as? String ?? "")

            bed.cluster.setBrokerDown(1)
            let clock = ContinuousClock()
            let start = clock.now
            let refused = try await HTTPExchange(body: body).send(to: port)
            let waited = clock.now - start
            ErrorStatusTests.expectGraphError(refused, status: 503, code: "ServiceUnavailable")
            #expect(refused.header("Retry-After") == "1")
            #expect(
                waited >= .milliseconds(1_000) && waited < .seconds(10),
                "answered after the delivery timeout: \(waited)")

            bed.cluster.setBrokerUp(1)
            var attempts = 0
            var recovered = false
            while !recovered, attempts < 30 {
                attempts += 1
                let response = try await HTTPExchange(body: body).send(to: port)
                if response.status == 201 {
                    recovered = true
                    created.append(response.json?["id"] as? String ?? "")
                } else {
                    #expect(response.status == 503, "\(response.text)")
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            #expect(recovered, "a create succeeds once the broker is back (\(attempts) attempts)")
            return created
        }
        let keys = try bed.records().map { String(decoding: $0.key ?? [], as: UTF8.self) }
        #expect(keys.sorted() == outcome.sorted(), "exactly the entities answered 201 are on the topic")
    }

    @Test("A broker slowed past the publish timeout: 504 with the id and Location, and the entity is then on the topic")
    func slowBrokerGets504WithTheIDOfTheEntityItThenHolds() async throws {
        let bed = try HTTPCreateTestBed()
        let body = try Examples.request
        let (warmUp, slowed) = try await bed.withServer(deliveryTimeout: .milliseconds(1_500)) { port in
            // Connected, with metadata and a producer id: the next record is sent at once.
            let warmUp = try await HTTPExchange(body: body).send(to: port)
            // Every answer of the broker now comes 4 s late: the record is written on arrival,
            // its acknowledgement comes after the 1.5 s publish timeout.
            bed.cluster.setBrokerRoundTripTime(-1, .seconds(4))
            let slowed = try await HTTPExchange(body: body).send(to: port)
            bed.cluster.setBrokerRoundTripTime(-1, .zero)
            return (warmUp, slowed)
        }
        #expect(warmUp.status == 201, "\(warmUp.text)")
        ErrorStatusTests.expectGraphError(slowed, status: 504, code: "GatewayTimeout")
        #expect(slowed.header("Retry-After") == nil, "no blind retry: the entity may exist")
        let id = try #require((slowed.graphError?["innerError"] as? [String: Any])?["id"] as? String, "\(slowed.text)")
        #expect(CreateOverHTTPTests.isGUID(id))
        #expect(slowed.header("Location") == "/security/userSecurityProfiles/\(id)")
        #expect((slowed.graphError?["message"] as? String)?.contains(id) == true)

        // The entity the 504 named is on the topic (the broker wrote it before its slow answer).
        var keys: [String] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while !keys.contains(id), ContinuousClock.now < deadline {
            keys = try bed.records().map { String(decoding: $0.key ?? [], as: UTF8.self) }
            if !keys.contains(id) { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(keys.contains(id), "the entity \(id) is on the topic: \(keys)")
        #expect(keys.contains(warmUp.json?["id"] as? String ?? "-"))
    }

    @Test("A full producer queue gets 503 at once, without waiting for the delivery timeout")
    func fullQueueGets503AtOnce() async throws {
        let bed = try HTTPCreateTestBed()
        let body = try Examples.request
        bed.cluster.setBrokerDown(1)
        let (queued, refused, refusedAfter) = try await bed.withServer(
            deliveryTimeout: .seconds(3), kafka: ["queue.buffering.max.messages": "1"]
        ) { port in
            async let queued = HTTPExchange(body: body).send(to: port)
            try await Task.sleep(for: .milliseconds(500))  // the first request now holds the only place
            let clock = ContinuousClock()
            let start = clock.now
            let refused = try await HTTPExchange(body: body).send(to: port)
            let refusedAfter = clock.now - start
            return (try await queued, refused, refusedAfter)
        }
        ErrorStatusTests.expectGraphError(refused, status: 503, code: "ServiceUnavailable")
        #expect(refused.header("Retry-After") == "1")
        #expect((refused.graphError?["message"] as? String)?.contains("QUEUE_FULL") == true)
        #expect(refusedAfter < .seconds(2), "a full queue is answered at once: \(refusedAfter)")
        ErrorStatusTests.expectGraphError(queued, status: 503, code: "ServiceUnavailable")
        #expect((queued.graphError?["message"] as? String)?.contains("TIMED_OUT") == true)
    }

    @Test("A refusal retrying cannot clear (authorization) gets 500 without Retry-After")
    func aPermanentRefusalGets500WithoutRetryAfter() async throws {
        let bed = try HTTPCreateTestBed()
        let body = try Examples.request
        let (warmUp, refused) = try await bed.withServer(deliveryTimeout: .seconds(10)) { port in
            // The connection and producer id first, so that the errors hit the produce request.
            let warmUp = try await HTTPExchange(body: body).send(to: port)
            bed.cluster.pushRequestErrors(.produce, Array(repeating: .topicAuthorizationFailed, count: 50))
            let refused = try await HTTPExchange(body: body).send(to: port)
            bed.cluster.clearRequestErrors(.produce)
            return (warmUp, refused)
        }
        #expect(warmUp.status == 201)
        ErrorStatusTests.expectGraphError(refused, status: 500, code: "EntityNotPublished")
        #expect(refused.header("Retry-After") == nil)
        #expect((refused.graphError?["message"] as? String)?.contains("TOPIC_AUTHORIZATION_FAILED") == true)
    }
}
