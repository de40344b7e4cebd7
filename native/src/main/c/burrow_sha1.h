/*
 * burrow_sha1: SHA-1 with the CPU's SHA instructions (x86 SHA-NI) where it has them, else portable C.
 *
 * Why in C: the JDK hashes SHA-1 with the same instructions, but only in code compiled by C2. The save runs with
 * the C1 compiler alone (C2's memory and compile time were a fifth of its CPU and a tenth of its peak RSS), and
 * without C2 the JDK's SHA-1 is eight times slower. This header is the whole contract with the Java binding
 * (dev.burrow.core.hash.NativeSha1). No global state besides the CPU-feature choice made on first use, no
 * allocation, no pointer kept after a call returns: the caller owns the context, buffers may be Java heap arrays.
 */
#ifndef BURROW_SHA1_H
#define BURROW_SHA1_H

#include <stdint.h>

/* Instruction-set paths; burrow_sha1_isa() reports the best one this CPU runs. */
#define BURROW_SHA1_SCALAR 0
#define BURROW_SHA1_SHANI 1

/* A running hash. The caller allocates burrow_sha1_context_size() bytes, 8-byte aligned. */
typedef struct burrow_sha1_context {
    uint32_t h[5];
    int32_t isa;
    uint64_t total;      /* bytes hashed so far; total % 64 of them wait in buf */
    uint8_t buf[64];
} burrow_sha1_context;

int64_t burrow_sha1_context_size(void);

/* Starts a hash on the given path (a path this CPU cannot run falls back to the best one it can; -1: best). */
void burrow_sha1_init(burrow_sha1_context *c, int32_t isa);

/* Hashes data[off, off + len); off, len >= 0 (the Java binding passes whole arrays and checks the range). */
void burrow_sha1_update(burrow_sha1_context *c, const uint8_t *data, int64_t off, int64_t len);

/* Writes the 20-byte digest to out and starts a new hash on the same path. */
void burrow_sha1_final(burrow_sha1_context *c, uint8_t *out);

/* The path this CPU runs best (BURROW_SHA1_*). */
int32_t burrow_sha1_isa(void);

/*
 * Checks every available path against known digests (FIPS 180 test vectors) and against each other on generated
 * data of every length up to 300 bytes, split at every offset. Returns 0 when all agree, else the failing check.
 */
int32_t burrow_sha1_selftest(void);

#endif
