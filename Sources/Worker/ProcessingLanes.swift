import Dispatch
import Synchronization

import class Foundation.Thread

/// Threads that run the pipeline and hand outputs to the producer, so that
/// the create work of different partitions uses every core while the polling
/// thread only consumes.
///
/// Each inbound partition belongs to one lane (`partition % laneCount`), and a
/// lane processes its records in the order they were given, so outputs keep
/// per-partition order. The polling thread hands records over in batches (one
/// per poll), so a lane wakes once a batch rather than once a record.
final class ProcessingLanes: Sendable {
    /// One consumed record and its place in its partition's window.
    struct Item: Sendable {
        var record: InboundRecord
        var ticket: DeliveryTicket
    }

    private let lanes: [Lane]

    /// Starts `count` lanes; `process` runs on a lane's thread for each item.
    init(count: Int, process: @escaping @Sendable (Item) -> Void) {
        lanes = (0..<max(1, count)).map { index in Lane(name: "usp-worker-lane-\(index)", process: process) }
    }

    var count: Int { lanes.count }

    /// The lane of an inbound partition.
    func lane(of partition: Int32) -> Int {
        Int(UInt32(bitPattern: partition) % UInt32(lanes.count))
    }

    /// Adds a record to its lane's next batch; `flush` hands the batches over.
    func add(_ item: Item) {
        let lane = lanes[lane(of: item.record.partition)]
        lane.pending.withLock { $0.append(item) }
    }

    /// Hands every lane its batch of added records: after each poll, and before a
    /// revoked partition is waited for (its records may be among them).
    func flush() {
        for lane in lanes { lane.flush() }
    }

    /// Stops each lane and joins its thread. Called once every record is
    /// settled; anything still queued then (a drain that timed out) is
    /// dropped unpublished, to be consumed again from the committed offset.
    func stop() {
        for lane in lanes { lane.stop() }
        for lane in lanes { lane.join() }
    }
}

/// One processing thread and its queue.
private final class Lane: Sendable {
    private struct State {
        var queue: [ProcessingLanes.Item] = []
        var stopping = false
    }

    private let state = Mutex(State())
    /// Records added since the last flush, kept apart from `state` so that adding
    /// one never contends with the lane taking its queue.
    let pending = Mutex<[ProcessingLanes.Item]>([])
    /// Signalled once per submitted batch and once on stop.
    private let work = DispatchSemaphore(value: 0)
    /// Signalled when the thread has finished.
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, process: @escaping @Sendable (ProcessingLanes.Item) -> Void) {
        let thread = Thread { [self] in
            run(process)
        }
        thread.name = name
        thread.start()
    }

    func flush() {
        let items = pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        guard !items.isEmpty else { return }
        state.withLock { $0.queue.append(contentsOf: items) }
        work.signal()
    }

    func stop() {
        state.withLock { $0.stopping = true }
        work.signal()
    }

    func join() {
        finished.wait()
    }

    private func run(_ process: (ProcessingLanes.Item) -> Void) {
        var batch: [ProcessingLanes.Item] = []
        while true {
            work.wait()
            let stopping = state.withLock { state in
                swap(&batch, &state.queue)
                return state.stopping
            }
            if stopping { break }
            for item in batch { process(item) }
            batch.removeAll(keepingCapacity: true)
        }
        finished.signal()
    }
}
