import Kafka

/// Dead letters whose caller was refused: 401 `InvalidAuthenticationToken` (no valid token)
/// and 403 `Forbidden` (a token not allowed to create that profile).
///
/// A replay never sends them under the operator's token: that would create, under the
/// operator's identity and in the tenant the operator's token names, what a caller without
/// the right was refused. So they are replayed only when named (``ReplayFilter/errorCodes``),
/// never with an `authorization` header of the replay's own (`--bearer-token-file`): they go
/// back as they were and are checked again, which sends them back to the dead-letter topic
/// unless their caller's own token came with them.
public enum RefusedCallers {
    /// The `error-code`s of refused callers.
    public static let errorCodes: Set<String> = ["InvalidAuthenticationToken", "Forbidden"]

    /// Refuses a replay that would send refused callers' letters with its own `authorization`
    /// header, before anything is sent or committed; the error names how many letters, by code,
    /// its range holds (a dry run over the same group finds them).
    static func refuseOperatorToken(_ configuration: ReplayConfiguration) throws(OperatorToolError) {
        guard configuration.extraHeaders.contains(where: { $0.name.lowercased() == "authorization" }) else { return }
        let named = configuration.filter.errorCodes.intersection(errorCodes)
        guard !named.isEmpty else { return }
        var scan = configuration
        scan.filter.errorCodes = named
        scan.group = configuration.groupID
        scan.dryRun = true
        scan.extraHeaders = []
        let counted = try DeadLetterReplay.run(scan)
        throw .operatorTokenOnRefusedCallers(letters: counted.replayed, byCode: counted.replayedByCode)
    }
}
