/// The outcome of one create request: the `201` entity, or the error to answer with.
public enum CreateResult: Sendable {
    case created(CreatedEntity)
    case rejected(GraphError)
}
