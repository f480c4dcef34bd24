// zlib's public API, for the gzip reader of `usp-worker backfill`.
#ifndef USP_CZLIB_SHIM_H
#define USP_CZLIB_SHIM_H

#include <zlib.h>

/// inflateInit2 is a macro (it passes the library's version and the stream's
/// size for a compatibility check); Swift sees only functions.
static inline int usp_inflate_init2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
