// The C side of the Kafka layer: librdkafka's public API and its mock cluster.
// Helpers that Swift cannot express (variadic calls, anonymous unions) live here
// as small `static inline` functions.
#ifndef USP_CRDKAFKA_SHIM_H
#define USP_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#endif
