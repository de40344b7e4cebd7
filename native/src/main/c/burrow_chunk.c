/*
 * bup's rolling checksum (lib/bup/bupsplit.c) without its serial dependency chain.
 *
 * The scalar checksum feeds one byte at a time: s1 += c - d; s2 += s1 - 64 * (d + 31), where d is the byte leaving
 * the 64-byte window. Each step needs the previous one, so a scalar loop in C is no faster than the JIT's (about one
 * byte per cycle). The vector paths break the chain with two facts.
 *
 * 1. The state after byte q depends only on the window b[q-63..q], where bytes before the chunk start are the 64
 *    virtual zeros a fresh checksum starts with:
 *        s1(q) = 64*31 + sum(b[k])                       for k in q-63..q
 *        s2(q) = 64*63*31 + sum((q + 1 - k) * b[k])      for k in q-63..q
 *    (by induction on the update rule; JavaChunkerTest checks the same invariant). So a scan can start anywhere
 *    with a state computed from the 64 bytes before it.
 *
 * 2. Only the low 13 bits of s2 decide a boundary, and all arithmetic is +, - and *64 modulo 2^32. Reduction modulo
 *    2^16 is a ring homomorphism, so doing the same operations on 16-bit lanes gives exactly s2 mod 2^16, whose low
 *    13 bits are the ones tested. s1 - 64*31 is at most 64*255 = 16320, so a 16-bit lane holds it exactly; and the
 *    digest, s1 << 16 | (s2 & 0xffff), needs no more than that, so the level comes out exact too.
 *
 * A vector region is 16 (AVX2) or 32 (AVX-512) rows of 64 bytes; row 0 is the window before the region (zeros at a
 * chunk start). Lane k of a vector of 16-bit lanes follows row k: it starts with the state computed (fact 1) from
 * row k-1, and steps through row k one byte per instruction group, taking the byte that leaves its window from row
 * k-1, that is from lane k-1. Lane 0 only supplies row 0. So an AVX2 region tests 15 * 64 = 960 positions, 15 at a
 * time; the rows are transposed 16 x 16 bytes at a time so that a vector holds byte t of every row. A scan that
 * starts testing less than 64 bytes after the chunk start does those bytes one at a time, and the tail shorter than
 * a region uses the scalar path too.
 *
 * Rows are visited in order and a hit in lane k lies before every position of lanes above k, so the lowest lane with
 * a hit holds the first boundary; stepping that row one byte at a time from the lane's start state finds it.
 */
#include "burrow_chunk.h"

#include <stddef.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BURROW_X86 1
#endif

#define WINDOW 64
/* bup's ROLLSUM_CHAR_OFFSET: added to every byte so that runs of zeros still move the sums. */
#define CHAR_OFFSET 31
#define BLOB_BITS 13
#define BLOB_MASK ((1u << BLOB_BITS) - 1)
#define FANOUT_BITS 4
#define S1_INIT ((uint32_t) WINDOW * CHAR_OFFSET)
#define S2_INIT ((uint32_t) WINDOW * (WINDOW - 1) * CHAR_OFFSET)
/* Rows of one vector region: 16 lanes of 16 bits fill a 256-bit register; lane 0 only feeds lane 1. */
#define ROWS 16
#define REGION_STEP ((ROWS - 1) * WINDOW)

static int64_t result(uint32_t s1, uint32_t s2, int64_t i) {
    uint32_t digest = s1 << 16 | (s2 & 0xffff);
    /* bup skips digest bit 13 (a historical quirk) and counts the one bits from bit 14 up. */
    uint32_t x = ~(digest >> (BLOB_BITS + 1));
    int ones = x == 0 ? 32 : __builtin_ctz(x);
    return (int64_t) (ones / FANOUT_BITS) << 32 | (i + 1);
}

static inline int64_t min64(int64_t a, int64_t b) {
    return a < b ? a : b;
}

/* The portable path, the same loops as JavaChunker: before the window is full, the leaving byte is a virtual 0. */
static int64_t scan_scalar(const uint8_t *buf, int64_t start, int64_t from, int64_t to) {
    uint32_t s1 = S1_INIT;
    uint32_t s2 = S2_INIT;
    int64_t i = start;
    int64_t warm = min64(from, start + WINDOW);
    for (; i < warm; i++) {
        s1 += buf[i];
        s2 += s1 - WINDOW * CHAR_OFFSET;
    }
    for (; i < from; i++) {
        uint32_t d = buf[i - WINDOW];
        s1 += buf[i] - d;
        s2 += s1 - WINDOW * (d + CHAR_OFFSET);
    }
    int64_t full = min64(to, start + WINDOW);
    for (; i < full; i++) {
        s1 += buf[i];
        s2 += s1 - WINDOW * CHAR_OFFSET;
        if ((s2 & BLOB_MASK) == BLOB_MASK) {
            return result(s1, s2, i);
        }
    }
    for (; i < to; i++) {
        uint32_t d = buf[i - WINDOW];
        s1 += buf[i] - d;
        s2 += s1 - WINDOW * (d + CHAR_OFFSET);
        if ((s2 & BLOB_MASK) == BLOB_MASK) {
            return result(s1, s2, i);
        }
    }
    return -1;
}

/*
 * Finishes a vector hit: scans the 64 positions from row on with the state the vector lane started the row with
 * (s1 without its constant, exact; s2 modulo 2^16, all the test and the digest use). Bytes before low are the
 * virtual zeros of a fresh checksum.
 */
static int64_t scan_row(const uint8_t *buf, int64_t low, int64_t row, uint32_t s1_part, uint32_t s2) {
    uint32_t s1 = s1_part + S1_INIT;
    for (int64_t i = row; i < row + WINDOW; i++) {
        uint32_t d = i - WINDOW >= low ? buf[i - WINDOW] : 0;
        s1 += buf[i] - d;
        s2 += s1 - WINDOW * (d + CHAR_OFFSET);
        if ((s2 & BLOB_MASK) == BLOB_MASK) {
            return result(s1, s2, i);
        }
    }
    return -1;
}

#ifdef BURROW_X86

/* Moves every 16-bit lane up by one (lane k gets lane k-1); lane 0 gets 0. */
__attribute__((target("avx2"), always_inline))
static inline __m256i lanes_up(__m256i a) {
    __m256i low_half_up = _mm256_permute2x128_si256(a, a, 0x08);   /* [0, a.low] */
    return _mm256_alignr_epi8(a, low_half_up, 14);
}

/*
 * Where byte t of every row is kept in a region's scratch area. The transposes write a register holding several
 * t at once, so t is not in order; each layout names the offset of t's 16 bytes (byte k = row k).
 *   LAYOUT_YMM: registers of two 16-byte lanes, t = 32 b + 16 h + i in lane h of register i of block b.
 *   LAYOUT_ZMM: registers of four lanes, t = 16 h + i in lane h of register i.
 */
#define LAYOUT_YMM 0
#define LAYOUT_ZMM 1

__attribute__((always_inline))
static inline int offset_of(int layout, int t) {
    return layout == LAYOUT_YMM ? (t >> 5) * 512 + (t & 15) * 32 + ((t >> 4) & 1) * 16
                                : (t & 15) * 64 + (t >> 4) * 16;
}

/*
 * Tests the 960 positions of one region whose rows are in scratch. Returns the lane (1..15) of the first row with a
 * boundary and sets *s1_part and *s2 to the state that lane started with, or returns 0.
 */
__attribute__((target("avx2"), always_inline))
static inline int steps_avx2(const uint8_t *rows, int layout, uint32_t *s1_part, uint32_t *s2_start) {
    const __m256i high_bits = _mm256_set1_epi16((short) (0xffff & ~BLOB_MASK));
    __m256i run = _mm256_setzero_si256();
    __m256i wsum = _mm256_setzero_si256();
    for (int t = 0; t < WINDOW; t++) {
        /* Fact 1 per row: run = sum(b), wsum = sum over t of the running sums = sum((64 - t) * b[t]). */
        __m128i c = _mm_load_si128((const __m128i *) (rows + offset_of(layout, t)));
        run = _mm256_add_epi16(run, _mm256_cvtepu8_epi16(c));
        wsum = _mm256_add_epi16(wsum, run);
    }
    /* Lane k starts with the state after row k-1. s1 is kept without its constant 64*31, which cancels in s2's
     * update: s2 += (s1' + 64*31) - 64 * (d + 31) = s1' - 64 * d. */
    const __m256i s1_start = lanes_up(run);
    const __m256i s2_start_v = _mm256_add_epi16(lanes_up(wsum), _mm256_set1_epi16((short) (S2_INIT & 0xffff)));
    __m256i s1 = s1_start;
    __m256i s2 = s2_start_v;
    __m256i seen = _mm256_setzero_si256();
    for (int t = 0; t < WINDOW; t++) {
        const uint8_t *at = rows + offset_of(layout, t);
        __m256i c = _mm256_cvtepu8_epi16(_mm_load_si128((const __m128i *) at));
        /* Loading one byte lower gives lane k the byte of row k-1, the byte leaving the window (lane 0: junk). */
        __m256i d = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (at - 1)));
        s1 = _mm256_add_epi16(s1, _mm256_sub_epi16(c, d));
        s2 = _mm256_add_epi16(s2, _mm256_sub_epi16(s1, _mm256_slli_epi16(d, 6)));
        /* A lane hits when its low 13 bits are all ones, i.e. when s2 | 0xe000 is 0xffff, the largest value. */
        seen = _mm256_max_epu16(seen, _mm256_or_si256(s2, high_bits));
    }
    uint32_t hits = (uint32_t) _mm256_movemask_epi8(_mm256_cmpeq_epi16(seen, _mm256_set1_epi16(-1))) & ~3u;
    if (hits == 0) {
        return 0;
    }
    int lane = __builtin_ctz(hits) / 2;
    uint16_t lanes[16];
    _mm256_storeu_si256((__m256i *) lanes, s1_start);
    *s1_part = lanes[lane];
    _mm256_storeu_si256((__m256i *) lanes, s2_start_v);
    *s2_start = lanes[lane];
    return lane;
}

/*
 * One round of a 16 x 16 byte transpose within each 128-bit lane: register i is interleaved with register i+8.
 * Writing a byte's address as 8 bits (register, byte within the lane), a round rotates it left by one bit, so four
 * rounds swap the halves: afterwards x[c] byte r is what x[r] byte c was.
 */
#define INTERLEAVE_ROUND(T, UNPACKLO, UNPACKHI, x)                 \
    do {                                                           \
        T y_[16];                                                  \
        for (int i_ = 0; i_ < 8; i_++) {                           \
            y_[2 * i_] = UNPACKLO(x[i_], x[i_ + 8]);               \
            y_[2 * i_ + 1] = UNPACKHI(x[i_], x[i_ + 8]);           \
        }                                                          \
        for (int i_ = 0; i_ < 16; i_++) {                          \
            x[i_] = y_[i_];                                        \
        }                                                          \
    } while (0)

/*
 * Tests positions from p0 on in regions of 960 while a whole region fits before to, and returns the first boundary
 * or -1 with *next set to the first position not tested. The chunk starts at low: p0 == low (the window before p0
 * is then the fresh checksum's virtual zeros) or p0 >= low + 64.
 */
__attribute__((target("avx2")))
static int64_t regions_avx2(const uint8_t *buf, int64_t low, int64_t p0, int64_t to, int64_t *next) {
    /* 16 bytes in front so that byte t of row k-1 can be loaded at offset -1 for every t. */
    _Alignas(32) uint8_t scratch[32 + WINDOW * ROWS];
    uint8_t *rows = scratch + 32;
    memset(scratch, 0, 32);
    int64_t r = p0;
    for (; r + REGION_STEP <= to; r += REGION_STEP) {
        const uint8_t *base = buf + r - WINDOW;   /* row k starts at base + 64 k; row 0 is the window before r */
        for (int b = 0; b < 2; b++) {
            __m256i x[16];
            for (int k = 0; k < ROWS; k++) {
                x[k] = k == 0 && r == low ? _mm256_setzero_si256()
                                          : _mm256_loadu_si256((const __m256i *) (base + WINDOW * k + 32 * b));
            }
            /* Four rounds transpose each 128-bit lane: x[i] lane h byte k = row k byte 32 b + 16 h + i. */
            for (int round = 0; round < 4; round++) {
                INTERLEAVE_ROUND(__m256i, _mm256_unpacklo_epi8, _mm256_unpackhi_epi8, x);
            }
            for (int i = 0; i < 16; i++) {
                _mm256_store_si256((__m256i *) (rows + 512 * b + 32 * i), x[i]);
            }
        }
        uint32_t s1_part;
        uint32_t s2;
        int lane = steps_avx2(rows, LAYOUT_YMM, &s1_part, &s2);
        if (lane != 0) {
            *next = r;
            return scan_row(buf, low, r + (int64_t) WINDOW * (lane - 1), s1_part, s2);
        }
    }
    *next = r;
    return -1;
}

/*
 * The AVX-512 path: the same steps on 32 rows (32 lanes of 16 bits, 31 * 64 = 1984 positions per region), with
 * 512-bit transposes that do four 16 x 16 blocks per instruction.
 */
#define ROWS_512 32
#define REGION_STEP_512 ((ROWS_512 - 1) * WINDOW)

__attribute__((target("avx2,avx512f,avx512bw")))
static int64_t regions_avx512(const uint8_t *buf, int64_t low, int64_t p0, int64_t to, int64_t *next) {
    /*
     * Byte t of rows 0..31 is the 32 bytes at rows + 128 (t % 16) + 32 (t / 16): the transposes leave t = 16 h + i
     * in lane h of register i, for rows 0..15 (a) and 16..31 (b), and each a/b pair of lanes is stored together.
     * 64 bytes in front so that row k-1 can be loaded at offset -1 for every t.
     */
    _Alignas(64) uint8_t scratch[64 + WINDOW * ROWS_512];
    uint8_t *rows = scratch + 64;
    memset(scratch, 0, 64);
    const __m512i pair_low = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);     /* a.0 b.0 a.1 b.1 */
    const __m512i pair_high = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);  /* a.2 b.2 a.3 b.3 */
    /* Lane k takes lane k-1; lane 0 takes lane 0, which is ignored. */
    const __m512i up = _mm512_set_epi16(30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15,
                                        14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0);
    const __m512i high_bits = _mm512_set1_epi16((short) (0xffff & ~BLOB_MASK));
    int64_t r = p0;
    for (; r + REGION_STEP_512 <= to; r += REGION_STEP_512) {
        const uint8_t *base = buf + r - WINDOW;   /* row k starts at base + 64 k; row 0 is the window before r */
        __m512i a[16];
        __m512i b[16];
        for (int k = 0; k < 16; k++) {
            a[k] = k == 0 && r == low ? _mm512_setzero_si512() : _mm512_loadu_si512((const void *) (base + WINDOW * k));
            b[k] = _mm512_loadu_si512((const void *) (base + WINDOW * (k + 16)));
        }
        for (int round = 0; round < 4; round++) {
            INTERLEAVE_ROUND(__m512i, _mm512_unpacklo_epi8, _mm512_unpackhi_epi8, a);
            INTERLEAVE_ROUND(__m512i, _mm512_unpacklo_epi8, _mm512_unpackhi_epi8, b);
        }
        for (int i = 0; i < 16; i++) {
            _mm512_store_si512((void *) (rows + 128 * i), _mm512_permutex2var_epi64(a[i], pair_low, b[i]));
            _mm512_store_si512((void *) (rows + 128 * i + 64), _mm512_permutex2var_epi64(a[i], pair_high, b[i]));
        }
        __m512i run = _mm512_setzero_si512();
        __m512i wsum = _mm512_setzero_si512();
        for (int t = 0; t < WINDOW; t++) {
            const uint8_t *at = rows + 128 * (t & 15) + 32 * (t >> 4);
            run = _mm512_add_epi16(run, _mm512_cvtepu8_epi16(_mm256_load_si256((const __m256i *) at)));
            wsum = _mm512_add_epi16(wsum, run);
        }
        const __m512i s1_start = _mm512_permutexvar_epi16(up, run);
        const __m512i s2_start = _mm512_add_epi16(_mm512_permutexvar_epi16(up, wsum),
                                                  _mm512_set1_epi16((short) (S2_INIT & 0xffff)));
        __m512i s1 = s1_start;
        __m512i s2 = s2_start;
        __m512i seen = _mm512_setzero_si512();
        for (int t = 0; t < WINDOW; t++) {
            const uint8_t *at = rows + 128 * (t & 15) + 32 * (t >> 4);
            __m512i c = _mm512_cvtepu8_epi16(_mm256_load_si256((const __m256i *) at));
            __m512i d = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *) (at - 1)));
            s1 = _mm512_add_epi16(s1, _mm512_sub_epi16(c, d));
            s2 = _mm512_add_epi16(s2, _mm512_sub_epi16(s1, _mm512_slli_epi16(d, 6)));
            seen = _mm512_max_epu16(seen, _mm512_or_si512(s2, high_bits));
        }
        uint32_t hits = (uint32_t) _mm512_cmpeq_epi16_mask(seen, _mm512_set1_epi16(-1)) & ~1u;
        if (hits != 0) {
            int lane = __builtin_ctz(hits);
            uint16_t s1_lanes[32];
            uint16_t s2_lanes[32];
            _mm512_storeu_si512((void *) s1_lanes, s1_start);
            _mm512_storeu_si512((void *) s2_lanes, s2_start);
            *next = r;
            return scan_row(buf, low, r + (int64_t) WINDOW * (lane - 1), s1_lanes[lane], s2_lanes[lane]);
        }
    }
    *next = r;
    return -1;
}

static int64_t scan_vector(int32_t isa, const uint8_t *buf, int64_t start, int64_t from, int64_t to) {
    /* Where the vector regions start: at the chunk start, whose window is all virtual zeros, or where the window
     * holds only chunk bytes. A scan that starts testing in between does its first bytes one at a time. */
    int64_t p0 = from == start ? start : from > start + WINDOW ? from : start + WINDOW;
    if (to - p0 < (isa == BURROW_ISA_AVX512 ? REGION_STEP_512 : REGION_STEP)) {
        return scan_scalar(buf, start, from, to);
    }
    if (from < p0) {
        int64_t found = scan_scalar(buf, start, from, p0);
        if (found >= 0) {
            return found;
        }
    }
    int64_t r;
    int64_t found = isa == BURROW_ISA_AVX512 ? regions_avx512(buf, start, p0, to, &r)
                                             : regions_avx2(buf, start, p0, to, &r);
    if (found >= 0 || r >= to) {
        return found;
    }
    /* The tail shorter than a region: a fresh checksum 64 bytes back has the same state (fact 1). */
    return scan_scalar(buf, r - WINDOW, r, to);
}

#endif /* BURROW_X86 */

static int32_t detect_isa(void) {
#ifdef BURROW_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) {
        return BURROW_ISA_AVX512;
    }
    if (__builtin_cpu_supports("avx2")) {
        return BURROW_ISA_AVX2;
    }
#endif
    return BURROW_ISA_SCALAR;
}

static int32_t best_isa = -1;

int32_t burrow_chunk_isa(void) {
    int32_t isa = __atomic_load_n(&best_isa, __ATOMIC_RELAXED);
    if (isa < 0) {
        /* Racing first calls compute the same value. */
        isa = detect_isa();
        __atomic_store_n(&best_isa, isa, __ATOMIC_RELAXED);
    }
    return isa;
}

int64_t burrow_chunk_scan_isa(int32_t isa, const uint8_t *buf, int64_t start, int64_t from, int64_t to) {
    if (isa > burrow_chunk_isa()) {
        isa = burrow_chunk_isa();
    }
    switch (isa) {
#ifdef BURROW_X86
    case BURROW_ISA_AVX512:
    case BURROW_ISA_AVX2:
        return scan_vector(isa, buf, start, from, to);
#endif
    default:
        return scan_scalar(buf, start, from, to);
    }
}

int64_t burrow_chunk_scan(const uint8_t *buf, int64_t start, int64_t from, int64_t to) {
    return burrow_chunk_scan_isa(burrow_chunk_isa(), buf, start, from, to);
}

/* The save's entropy sample; the contract is in burrow_chunk.h. */
double burrow_sample_entropy(const uint8_t *data, int64_t off, int64_t len, const double *clogc) {
    uint16_t h[4][256];
    memset(h, 0, sizeof h);
    int64_t step = (len - 256) / 3;
    const uint8_t *r0 = data + off, *r1 = r0 + step, *r2 = r0 + 2 * step, *r3 = r0 + 3 * step;
    for (int j = 0; j < 256; j++) {
        h[0][r0[j]]++;
        h[1][r1[j]]++;
        h[2][r2[j]]++;
        h[3][r3[j]]++;
    }
    double sum = 0;
    for (int v = 0; v < 256; v++) {
        sum += clogc[h[0][v] + h[1][v] + h[2][v] + h[3][v]];
    }
    return (clogc[1024] - sum) / 1024;
}

/* bup's own formulation, a ring buffer and one byte at a time: the reference for the self-test. */
static int64_t scan_reference(const uint8_t *buf, int64_t start, int64_t from, int64_t to) {
    uint8_t window[WINDOW] = {0};
    uint32_t s1 = S1_INIT;
    uint32_t s2 = S2_INIT;
    int pos = 0;
    for (int64_t i = start; i < to; i++) {
        uint32_t d = window[pos];
        s1 += buf[i] - d;
        s2 += s1 - WINDOW * (d + CHAR_OFFSET);
        window[pos] = buf[i];
        pos = (pos + 1) % WINDOW;
        if (i >= from && (s2 & BLOB_MASK) == BLOB_MASK) {
            return result(s1, s2, i);
        }
    }
    return -1;
}

int32_t burrow_chunk_selftest(void) {
    static uint8_t buf[1 << 18];
    uint64_t x = 0x9e3779b97f4a7c15u;
    /* Random bytes with an all-zero stretch and a periodic stretch, where long scans find no boundary. */
    for (size_t i = 0; i < sizeof buf; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t) (x >> 32);
    }
    memset(buf + 40000, 0, 50000);
    for (size_t i = 120000; i < 200000; i++) {
        buf[i] = (uint8_t) (i % 37 * 7);
    }
    int64_t len = (int64_t) sizeof buf;
    for (int32_t isa = BURROW_ISA_SCALAR; isa <= burrow_chunk_isa(); isa++) {
        int64_t start = 0;
        int boundaries = 0;
        while (1) {
            int64_t expected = scan_reference(buf, start, start, len);
            if (burrow_chunk_scan_isa(isa, buf, start, start, len) != expected) {
                return 1 + isa * 10;
            }
            if (expected < 0) {
                break;
            }
            boundaries++;
            start = (int32_t) expected;
        }
        if (boundaries < 10) {
            return 2 + isa * 10;
        }
        for (int64_t s = 0; s < 3000; s += 7) {
            int64_t from = s + s % 150;
            int64_t to = len - s * 5;
            if (burrow_chunk_scan_isa(isa, buf, s, from, to) != scan_reference(buf, s, from, to)) {
                return 3 + isa * 10;
            }
        }
    }
    return 0;
}
