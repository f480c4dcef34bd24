// The C side of the Kafka layer: librdkafka's public API and its mock cluster.
// Helpers that Swift cannot express (variadic calls, anonymous unions) live here
// as small `static inline` functions.
#ifndef USP_CRDKAFKA_SHIM_H
#define USP_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

// `rd_kafka_vu_t` carries its argument in an anonymous union; these builders fill
// the one member each `RD_KAFKA_VTYPE_…` tag reads, so Swift never touches the union.

/// RD_KAFKA_VTYPE_TOPIC: the topic name (NUL-terminated, read during the call).
static inline rd_kafka_vu_t usp_vu_topic(const char *topic) {
    rd_kafka_vu_t vu = {0};
    vu.vtype = RD_KAFKA_VTYPE_TOPIC;
    vu.u.cstr = topic;
    return vu;
}

/// RD_KAFKA_VTYPE_RKT: a topic handle (avoids the per-message topic lookup under
/// the client's write lock that RD_KAFKA_VTYPE_TOPIC does).
static inline rd_kafka_vu_t usp_vu_rkt(rd_kafka_topic_t *topic) {
    rd_kafka_vu_t vu = {0};
    vu.vtype = RD_KAFKA_VTYPE_RKT;
    vu.u.rkt = topic;
    return vu;
}

/// RD_KAFKA_VTYPE_PARTITION: a partition, or RD_KAFKA_PARTITION_UA for the partitioner.
static inline rd_kafka_vu_t usp_vu_partition(int32_t partition) {
    rd_kafka_vu_t vu = {0};
    vu.vtype = RD_KAFKA_VTYPE_PARTITION;
    vu.u.i32 = partition;
    return vu;
}

/// RD_KAFKA_VTYPE_VALUE: the payload; a NULL pointer is a null value (tombstone).
static inline rd_kafka_vu_t usp_vu_value(const void *value, size_t size) {
    rd_kafka_vu_t vu = {0};
    vu.vtype = RD_KAFKA_VTYPE_VALUE;
    vu.u.mem.ptr = (void *)value;
    vu.u.mem.size = size;
    return vu;
}

/// RD_KAFKA_VTYPE_KEY: the key; a NULL pointer is a null key.
static inline rd_kafka_vu_t usp_vu_key(const void *key, size_t size) {
    rd_kafka_vu_t vu = {0};
    vu.vtype = RD_KAFKA_VTYPE_KEY;
    vu.u.mem.ptr = (void *)key;
    vu.u.mem.size = size;
    return vu;
}

/// RD_KAFKA_VTYPE_OPAQUE: the per-message opaque handed back in the delivery report.
static inline rd_kafka_vu_t usp_vu_opaque(void *opaque) {
    rd_kafka_vu_t vu = {0};
    vu.vtype = RD_KAFKA_VTYPE_OPAQUE;
    vu.u.ptr = opaque;
    return vu;
}

/// RD_KAFKA_VTYPE_MSGFLAGS: RD_KAFKA_MSG_F_… flags.
static inline rd_kafka_vu_t usp_vu_msgflags(int flags) {
    rd_kafka_vu_t vu = {0};
    vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu.u.i = flags;
    return vu;
}

/// RD_KAFKA_VTYPE_HEADERS: a header list whose ownership passes to the message
/// when (and only when) rd_kafka_produceva succeeds.
static inline rd_kafka_vu_t usp_vu_headers(rd_kafka_headers_t *headers) {
    rd_kafka_vu_t vu = {0};
    vu.vtype = RD_KAFKA_VTYPE_HEADERS;
    vu.u.headers = headers;
    return vu;
}

/// The per-message opaque of a delivered message (rd_kafka_message_t._private),
/// named so that Swift does not reach for an underscored field.
static inline void *usp_message_opaque(const rd_kafka_message_t *message) {
    return message->_private;
}

/// A valid address for an empty, non-null key or value (length 0): librdkafka
/// tells a null payload from an empty one by the pointer alone.
static inline const void *usp_empty_buffer(void) {
    static const char empty = 0;
    return &empty;
}

#endif
