/*
 * burrow_isal: zlib streams (RFC 1950) compressed by ISA-L's igzip (the system's libisal.so.2, Debian libisal2).
 *
 * Why: at zlib level 1, the level bup saves with by default, igzip compresses about twice as fast as libdeflate
 * (measured here on the benchmark's text files: 360 against 172 MB/s per core, 1.5% larger output), and deflate is
 * the largest CPU cost of a first save. Why a C shim rather than binding libisal through FFM directly: the caller
 * allocates igzip's stream struct, whose size and field offsets come from the installed header; compiled here, they
 * are right by construction. This header is the whole contract with the Java binding (dev.burrow.core.zlib.Isal).
 * No global state, no allocation, no pointer kept after a call returns: the caller owns the state, and the input
 * and output may be Java heap arrays.
 */
#ifndef BURROW_ISAL_H
#define BURROW_ISAL_H

#include <stdint.h>

/* The bytes of state one compressor needs (the stream and its level buffer); the caller allocates them, 8-aligned. */
int64_t burrow_isal_state_size(void);

/*
 * Compresses in[in_off, in_off+len) at igzip level 1 into out[out_off, out_off+cap) as one zlib stream. Returns its
 * length, 0 when it does not fit in cap bytes, or a negative igzip error code. The offsets are arguments, not
 * pointer arithmetic on the Java side, so that a caller passes the same segment of a reused array every time and a
 * call allocates nothing there.
 */
int64_t burrow_isal_zlib_compress(uint8_t *state, const uint8_t *in, int64_t in_off, int64_t len, uint8_t *out,
                                  int64_t out_off, int64_t cap);

/* The Adler-32 of data[off, off+len) (a zlib stream's trailer), ISA-L's vectorised isal_adler32. */
uint32_t burrow_isal_adler32(const uint8_t *data, int64_t off, int64_t len);

#endif
