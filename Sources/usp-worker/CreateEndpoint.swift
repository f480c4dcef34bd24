import HTTPCreate
import Hummingbird
import HummingbirdCore
import Logging
import Worker

/// The create endpoint's settings once read from `HTTPOptions`.
struct CreateEndpointSettings {
    var publishTimeout: Duration
    var idempotencyWindow: Int
}

/// `POST /security/userSecurityProfiles` for `usp-worker run`: the routes mounted on
/// the worker's HTTP listener, the publisher they wait on (a service of its own, to
/// run before the listener), and the listener's HTTP/1 settings they need.
struct CreateEndpoint {
    let publisher: EntityPublisher
    let endpoint: UserSecurityProfilesEndpoint

    init(settings: CreateEndpointSettings, worker: WorkerConfiguration, logger: Logger) throws {
        // The endpoint's producer takes the same entity sizes as the worker's: any valid body
        // up to --max-body-size is publishable over HTTP too.
        var kafka = worker.kafka
        if kafka["message.max.bytes"] == nil {
            kafka.messageMaxBytes = worker.messageSizeLimits.producerMessageMaxBytes
        }
        publisher = try EntityPublisher(
            kafka: kafka, topic: worker.topics.output, deliveryTimeout: settings.publishTimeout, logger: logger)
        let authorizer: (any CreateAuthorizer)?
        switch worker.authentication {
        case .bearerToken(let access): authorizer = AccessControlAuthorizer(access: access)
        case .none: authorizer = nil
        }
        endpoint = UserSecurityProfilesEndpoint(
            publisher: publisher,
            configuration: .init(
                maximumBodySize: worker.maximumBodySize, idempotencyWindow: settings.idempotencyWindow),
            authorizer: authorizer)
    }

    /// Closes a connection after a 413 or 415 instead of reading the refused body on.
    var http1Configuration: HTTP1Channel.Configuration {
        .init(additionalChannelHandlers: [LingeringCloseHandler()])
    }
}
