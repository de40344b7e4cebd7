#include "burrow_sha1.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define BURROW_X86 1
#include <immintrin.h>
#endif

static inline uint32_t rotl(uint32_t x, int n) {
    return (x << n) | (x >> (32 - n));
}

static inline uint32_t load_be32(const uint8_t *p) {
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* FIPS 180-4 §6.1.2, one 64-byte block at a time, with a 16-word rolling schedule. */
static void blocks_scalar(uint32_t h[5], const uint8_t *p, int64_t n) {
    for (; n > 0; n--, p += 64) {
        uint32_t w[16];
        for (int t = 0; t < 16; t++) {
            w[t] = load_be32(p + 4 * t);
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        /* Four loops with a constant function each, which the compiler unrolls. */
#define BURROW_SHA1_ROUND(t, f, k)                                                                      \
        do {                                                                                            \
            if ((t) >= 16) {                                                                            \
                w[(t) & 15] = rotl(w[((t) - 3) & 15] ^ w[((t) - 8) & 15] ^ w[((t) - 14) & 15] ^ w[(t) & 15], 1); \
            }                                                                                           \
            uint32_t tmp = rotl(a, 5) + (f) + e + (k) + w[(t) & 15];                                    \
            e = d;                                                                                      \
            d = c;                                                                                      \
            c = rotl(b, 30);                                                                            \
            b = a;                                                                                      \
            a = tmp;                                                                                    \
        } while (0)
        for (int t = 0; t < 20; t++) {
            BURROW_SHA1_ROUND(t, (b & c) | (~b & d), 0x5a827999);
        }
        for (int t = 20; t < 40; t++) {
            BURROW_SHA1_ROUND(t, b ^ c ^ d, 0x6ed9eba1);
        }
        for (int t = 40; t < 60; t++) {
            BURROW_SHA1_ROUND(t, (b & c) | (b & d) | (c & d), 0x8f1bbcdc);
        }
        for (int t = 60; t < 80; t++) {
            BURROW_SHA1_ROUND(t, b ^ c ^ d, 0xca62c1d6);
        }
#undef BURROW_SHA1_ROUND
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
}

#ifdef BURROW_X86
/*
 * Four rounds in the middle of a block: E for them from the schedule group mc (sha1nexte), the four rounds with
 * function f, and the schedule advanced (sha1msg2 completes the group after mc; sha1msg1 and the xor start the
 * two after that). The groups rotate through m0..m3 and the E registers alternate.
 */
#define SHANI_ROUNDS4(e, e_next, mc, m_msg2, m_msg1, m_xor, f) \
    do { \
        e = _mm_sha1nexte_epu32(e, mc); \
        e_next = abcd; \
        m_msg2 = _mm_sha1msg2_epu32(m_msg2, mc); \
        abcd = _mm_sha1rnds4_epu32(abcd, e, f); \
        m_msg1 = _mm_sha1msg1_epu32(m_msg1, mc); \
        m_xor = _mm_xor_si128(m_xor, mc); \
    } while (0)

/*
 * Intel's SHA extensions: sha1rnds4 does four rounds, sha1nexte derives the next E, sha1msg1/sha1msg2 and an xor
 * extend the message schedule four words at a time (Intel, "New Instructions Supporting the Secure Hash
 * Algorithm on Intel Architecture Processors", 2013). Lanes hold words high to low: abcd = [a b c d].
 */
__attribute__((target("sha,sse4.1")))
static void blocks_shani(uint32_t h[5], const uint8_t *p, int64_t n) {
    /* Reverses all 16 bytes: big-endian words, the first one in the high lane. */
    const __m128i swap = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *) h), 0x1b);
    __m128i e0 = _mm_set_epi32((int) h[4], 0, 0, 0);
    __m128i e1, m0, m1, m2, m3;
    for (; n > 0; n--, p += 64) {
        __m128i abcd_save = abcd;
        __m128i e0_save = e0;
        /* rounds 0-3 */
        m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 0)), swap);
        e0 = _mm_add_epi32(e0, m0);
        e1 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
        /* rounds 4-7 */
        m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 16)), swap);
        e1 = _mm_sha1nexte_epu32(e1, m1);
        e0 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
        m0 = _mm_sha1msg1_epu32(m0, m1);
        /* rounds 8-11 */
        m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 32)), swap);
        e0 = _mm_sha1nexte_epu32(e0, m2);
        e1 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
        m1 = _mm_sha1msg1_epu32(m1, m2);
        m0 = _mm_xor_si128(m0, m2);
        /* rounds 12-67: each group of four with the full message schedule */
        m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 48)), swap);
        SHANI_ROUNDS4(e1, e0, m3, m0, m2, m1, 0); /* rounds 12-15 */
        SHANI_ROUNDS4(e0, e1, m0, m1, m3, m2, 0); /* rounds 16-19 */
        SHANI_ROUNDS4(e1, e0, m1, m2, m0, m3, 1); /* rounds 20-23 */
        SHANI_ROUNDS4(e0, e1, m2, m3, m1, m0, 1); /* rounds 24-27 */
        SHANI_ROUNDS4(e1, e0, m3, m0, m2, m1, 1); /* rounds 28-31 */
        SHANI_ROUNDS4(e0, e1, m0, m1, m3, m2, 1); /* rounds 32-35 */
        SHANI_ROUNDS4(e1, e0, m1, m2, m0, m3, 1); /* rounds 36-39 */
        SHANI_ROUNDS4(e0, e1, m2, m3, m1, m0, 2); /* rounds 40-43 */
        SHANI_ROUNDS4(e1, e0, m3, m0, m2, m1, 2); /* rounds 44-47 */
        SHANI_ROUNDS4(e0, e1, m0, m1, m3, m2, 2); /* rounds 48-51 */
        SHANI_ROUNDS4(e1, e0, m1, m2, m0, m3, 2); /* rounds 52-55 */
        SHANI_ROUNDS4(e0, e1, m2, m3, m1, m0, 2); /* rounds 56-59 */
        SHANI_ROUNDS4(e1, e0, m3, m0, m2, m1, 3); /* rounds 60-63 */
        SHANI_ROUNDS4(e0, e1, m0, m1, m3, m2, 3); /* rounds 64-67 */
        /* rounds 68-71 */
        e1 = _mm_sha1nexte_epu32(e1, m1);
        e0 = abcd;
        m2 = _mm_sha1msg2_epu32(m2, m1);
        abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);
        m3 = _mm_xor_si128(m3, m1);
        /* rounds 72-75 */
        e0 = _mm_sha1nexte_epu32(e0, m2);
        e1 = abcd;
        m3 = _mm_sha1msg2_epu32(m3, m2);
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 3);
        /* rounds 76-79 */
        e1 = _mm_sha1nexte_epu32(e1, m3);
        e0 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);

        e0 = _mm_sha1nexte_epu32(e0, e0_save);
        abcd = _mm_add_epi32(abcd, abcd_save);
    }
    _mm_storeu_si128((__m128i *) h, _mm_shuffle_epi32(abcd, 0x1b));
    h[4] = (uint32_t) _mm_extract_epi32(e0, 3);
}
#undef SHANI_ROUNDS4
#endif /* BURROW_X86 */

static int32_t detect_isa(void) {
#ifdef BURROW_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1")) {
        return BURROW_SHA1_SHANI;
    }
#endif
    return BURROW_SHA1_SCALAR;
}

static int32_t best_isa = -1;

int32_t burrow_sha1_isa(void) {
    int32_t isa = __atomic_load_n(&best_isa, __ATOMIC_RELAXED);
    if (isa < 0) {
        /* Racing first calls compute the same value. */
        isa = detect_isa();
        __atomic_store_n(&best_isa, isa, __ATOMIC_RELAXED);
    }
    return isa;
}

static void blocks(burrow_sha1_context *c, const uint8_t *p, int64_t n) {
#ifdef BURROW_X86
    if (c->isa == BURROW_SHA1_SHANI) {
        blocks_shani(c->h, p, n);
        return;
    }
#endif
    blocks_scalar(c->h, p, n);
}

int64_t burrow_sha1_context_size(void) {
    return (int64_t) sizeof(burrow_sha1_context);
}

void burrow_sha1_init(burrow_sha1_context *c, int32_t isa) {
    static const uint32_t initial[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    memcpy(c->h, initial, sizeof initial);
    int32_t best = burrow_sha1_isa();
    c->isa = isa < 0 || isa > best ? best : isa;
    c->total = 0;
}

void burrow_sha1_update(burrow_sha1_context *c, const uint8_t *data, int64_t off, int64_t len) {
    data += off;
    int64_t used = (int64_t) (c->total & 63);
    c->total += (uint64_t) len;
    if (used > 0) {
        int64_t take = 64 - used < len ? 64 - used : len;
        memcpy(c->buf + used, data, (size_t) take);
        data += take;
        len -= take;
        if (used + take < 64) {
            return;
        }
        blocks(c, c->buf, 1);
    }
    if (len >= 64) {
        blocks(c, data, len / 64);
        data += len & ~(int64_t) 63;
        len &= 63;
    }
    if (len > 0) {
        memcpy(c->buf, data, (size_t) len);
    }
}

void burrow_sha1_final(burrow_sha1_context *c, uint8_t *out) {
    uint64_t bits = c->total * 8;
    int64_t used = (int64_t) (c->total & 63);
    c->buf[used++] = 0x80;
    if (used > 56) {
        memset(c->buf + used, 0, (size_t) (64 - used));
        blocks(c, c->buf, 1);
        used = 0;
    }
    memset(c->buf + used, 0, (size_t) (56 - used));
    for (int i = 0; i < 8; i++) {
        c->buf[56 + i] = (uint8_t) (bits >> (56 - 8 * i));
    }
    blocks(c, c->buf, 1);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t) (c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t) (c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t) (c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t) c->h[i];
    }
    burrow_sha1_init(c, c->isa);
}

static int digest_is(int32_t isa, const uint8_t *data, int64_t len, int64_t repeat, const char *hex) {
    burrow_sha1_context c;
    uint8_t d[20];
    char got[41];
    burrow_sha1_init(&c, isa);
    for (int64_t i = 0; i < repeat; i++) {
        burrow_sha1_update(&c, data, 0, len);
    }
    burrow_sha1_final(&c, d);
    for (int i = 0; i < 20; i++) {
        got[2 * i] = "0123456789abcdef"[d[i] >> 4];
        got[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
    }
    got[40] = 0;
    return strcmp(got, hex) == 0;
}

int32_t burrow_sha1_selftest(void) {
    static const uint8_t two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    for (int32_t isa = BURROW_SHA1_SCALAR; isa <= burrow_sha1_isa(); isa++) {
        if (!digest_is(isa, (const uint8_t *) "abc", 3, 1, "a9993e364706816aba3e25717850c26c9cd0d89d")) {
            return 1 + isa * 10;
        }
        if (!digest_is(isa, (const uint8_t *) "", 0, 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709")) {
            return 2 + isa * 10;
        }
        if (!digest_is(isa, two_blocks, 56, 1, "84983e441c3bd26ebaae4aa1f95129e5e54670f1")) {
            return 3 + isa * 10;
        }
        if (!digest_is(isa, (const uint8_t *) "aaaaaaaaaa", 10, 100000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f")) {
            return 4 + isa * 10;
        }
    }
    /* Every path and every way of splitting the input agree with the scalar path hashing it in one piece. */
    uint8_t data[300];
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < sizeof data; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data[i] = (uint8_t) (x >> 32);
    }
    for (int64_t len = 0; len <= (int64_t) sizeof data; len++) {
        burrow_sha1_context c;
        uint8_t expected[20], got[20];
        burrow_sha1_init(&c, BURROW_SHA1_SCALAR);
        burrow_sha1_update(&c, data, 0, len);
        burrow_sha1_final(&c, expected);
        for (int32_t isa = BURROW_SHA1_SCALAR; isa <= burrow_sha1_isa(); isa++) {
            for (int64_t cut = 0; cut <= len; cut += 1 + len / 4) {
                burrow_sha1_init(&c, isa);
                burrow_sha1_update(&c, data, 0, cut);
                burrow_sha1_update(&c, data, cut, len - cut);
                burrow_sha1_final(&c, got);
                if (memcmp(got, expected, 20) != 0) {
                    return 5 + isa * 10;
                }
            }
        }
    }
    return 0;
}
