import ArgumentParser

/// `usp-worker`: creates Microsoft Graph userSecurityProfile entities from Kafka.
@main
struct USPWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usp-worker",
        abstract: "Creates Microsoft Graph userSecurityProfile entities from Kafka creation events.",
        subcommands: [
            RunCommand.self, ProcessCommand.self, BackfillCommand.self, ReplayCommand.self, DemoCommand.self,
            BrokerCommand.self,
        ]
    )
}
