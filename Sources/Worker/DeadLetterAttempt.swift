import CreatePipeline

/// The dead letter last published for a record: its error and shape, so that a
/// smaller letter can follow when the broker refuses this one for its size.
/// A class, so a window entry holds one reference, and only for dead letters.
final class DeadLetterAttempt: Sendable {
    let error: GraphError
    let shape: DeadLetterShape

    init(error: GraphError, shape: DeadLetterShape) {
        self.error = error
        self.shape = shape
    }
}
