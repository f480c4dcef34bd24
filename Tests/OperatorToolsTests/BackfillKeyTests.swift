import Testing

@testable import OperatorTools

@Suite struct BackfillKeyTests {
    /// Pinned values, computed independently with Python:
    /// `uuid.uuid5(UUID("994971a2-a0e8-42eb-9c6b-26ed741a9c1e"), f"backfill:{n}:{sha256(line).hexdigest()}")`.
    /// Changing the derivation would give every backfilled line a new entity id on its next run.
    @Test func theKeyIsTheNameBasedGUIDOfTheLineNumberAndTheLinesDigest() {
        #expect(
            BackfillKey.idempotencyKey(line: 1, bytes: Array(#"{"a":1}"#.utf8))
                == "9453b9d0-cc9a-5718-b45c-9645087b1bdb")
        #expect(
            BackfillKey.idempotencyKey(line: 2, bytes: Array(#"{"a":1}"#.utf8))
                == "788b3573-1c85-516c-b066-47dbe7389e64")
        #expect(BackfillKey.idempotencyKey(line: 1, bytes: []) == "9da60fb0-552e-51fc-a44d-1755e3778c52")
    }

    @Test func aCorrectedLineGetsANewKeyAndTheSameLineTheSameOne() {
        let line = Array(#"{"displayName":"x"}"#.utf8)
        #expect(BackfillKey.idempotencyKey(line: 7, bytes: line) == BackfillKey.idempotencyKey(line: 7, bytes: line))
        #expect(
            BackfillKey.idempotencyKey(line: 7, bytes: line)
                != BackfillKey.idempotencyKey(line: 7, bytes: line + [0x20]))
    }
}
