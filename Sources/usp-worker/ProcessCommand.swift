import ArgumentParser

struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "process")
}
