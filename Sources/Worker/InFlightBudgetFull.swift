/// Thrown from the poll's body to stop taking records once those in flight hold the
/// budget; the rest stay in librdkafka's queue.
struct InFlightBudgetFull: Error {}
