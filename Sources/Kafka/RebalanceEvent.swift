/// A change of a consumer's assignment, announced to `onRebalance` before the
/// consumer applies it.
public enum RebalanceEvent: Sendable, Hashable {
    /// Partitions given to this consumer. Cooperative protocol: the newly added
    /// partitions; eager protocol: the whole new assignment.
    case assigned([TopicPartition])
    /// Partitions being taken away in an orderly way: finish their work and commit
    /// now (`commit(…, mode: .sync)`); they are released when the handler returns.
    /// Cooperative protocol: only those partitions; eager: the whole assignment.
    case revoked([TopicPartition])
    /// The assignment was lost (session timeout, fenced): another member may already
    /// own these partitions, so do not commit for them.
    case lost([TopicPartition])
}
