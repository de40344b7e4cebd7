/*
 * burrow_chunk: bup 0.33.7's content-defined chunk boundaries (lib/bup/bupsplit.c), found with SIMD.
 *
 * This header is the whole contract between the C code and its Java binding (dev.burrow.core.split.NativeChunker).
 * Every function is pure: no global state besides the CPU-feature choice made on first use, no allocation, and
 * no pointer kept after a call returns, so calls are thread safe and buffers may be Java heap arrays.
 */
#ifndef BURROW_CHUNK_H
#define BURROW_CHUNK_H

#include <stdint.h>

/* Instruction-set paths; burrow_chunk_isa() reports the best one this CPU runs. */
#define BURROW_ISA_SCALAR 0
#define BURROW_ISA_AVX2 1
#define BURROW_ISA_AVX512 2

/*
 * Scans buf with a fresh rolling checksum that starts at index start. Bytes in [start, from) are fed without
 * testing, bytes in [from, to) are fed and tested. Requires 0 <= start <= from <= to (the caller checks).
 * Returns -1 when no byte in [from, to) ends a chunk, else (level << 32) | end, where end is the index just past
 * the first boundary byte and level is bup's fanout level of its digest. Same as dev.burrow.core.spi.Chunker.scan.
 */
int64_t burrow_chunk_scan(const uint8_t *buf, int64_t start, int64_t from, int64_t to);

/* burrow_chunk_scan on a given path; a path this CPU cannot run falls back to the best one it can. For tests. */
int64_t burrow_chunk_scan_isa(int32_t isa, const uint8_t *buf, int64_t start, int64_t from, int64_t to);

/* The path burrow_chunk_scan uses on this CPU (BURROW_ISA_*). */
int32_t burrow_chunk_isa(void);

/*
 * The save's test for chunks not worth deflating (dev.burrow.core.split.SampleEntropy): the order-0 entropy, in bits
 * per byte, of 1 KiB sampled from data[off, off + len) in four runs of 256 bytes starting at off + r * ((len - 256) / 3),
 * r = 0..3. clogc[c] is c * log2(c) for c = 0..1024, computed by the caller so that both sides add the same doubles;
 * the sum runs over byte values 0..255 in order, and the result is (clogc[1024] - sum) / 1024, bit for bit what the
 * Java fallback computes. Requires len >= 1024 (the caller checks). A loop the JIT's C1 tier, which runs the save,
 * compiles to about 1.4 us per chunk; here the histogram is kept in four parts so that equal bytes in a row do not
 * wait on each other's increments.
 */
double burrow_sample_entropy(const uint8_t *data, int64_t off, int64_t len, const double *clogc);

/*
 * Compares every available path with the byte-at-a-time reference on generated data, including all-zero and
 * periodic stretches. Returns 0 when all agree, else the number of the first failing check.
 */
int32_t burrow_chunk_selftest(void);

#endif
