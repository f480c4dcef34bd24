/// Which output a delivery report is about, and of which inbound record.
///
/// Carried through librdkafka as the message's opaque integer, so a delivery
/// report finds its record without a table lookup or a per-message allocation:
/// bit 63 tells entity from dead letter, bits 40…62 name the partition's
/// assignment slot, bits 0…39 the record's sequence number in that slot. The
/// sequence number wraps after 2^40 records of one assignment; its window tells
/// records apart modulo 2^40 (``PartitionWindow``), so the wrap is harmless.
struct DeliveryTicket: Hashable, Sendable {
    enum Kind: UInt64, Sendable {
        case entity = 0
        case deadLetter = 1
    }

    var kind: Kind
    var slot: UInt32
    var sequence: UInt64

    init(kind: Kind, slot: UInt32, sequence: UInt64) {
        self.kind = kind
        self.slot = slot & 0x7F_FFFF
        self.sequence = sequence & 0xFF_FFFF_FFFF
    }

    init(opaque: UInt64) {
        self.init(
            kind: Kind(rawValue: opaque >> 63) ?? .entity,
            slot: UInt32((opaque >> 40) & 0x7F_FFFF),
            sequence: opaque & 0xFF_FFFF_FFFF)
    }

    var opaque: UInt64 { kind.rawValue << 63 | UInt64(slot) << 40 | sequence }

    func with(kind: Kind) -> DeliveryTicket { DeliveryTicket(kind: kind, slot: slot, sequence: sequence) }
}
