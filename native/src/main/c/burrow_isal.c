#include "burrow_isal.h"

#include <isa-l/igzip_lib.h>

/*
 * The level buffer holds igzip's level-1 hash table and token buffer. SMALL rather than the default LARGE: the
 * inputs are chunks and trees of at most a few tens of KiB, compressed in one call, and the smaller buffer was as
 * fast on them (362 against 342-358 MB/s) with 196 KiB less memory per compressor.
 */
#define BURROW_ISAL_LEVEL_BUF ISAL_DEF_LVL1_SMALL

int64_t burrow_isal_state_size(void) {
    return (int64_t) (sizeof(struct isal_zstream) + BURROW_ISAL_LEVEL_BUF);
}

uint32_t burrow_isal_adler32(const uint8_t *data, int64_t off, int64_t len) {
    return len <= 0 ? 1 : isal_adler32(1, data + off, (uint64_t) len);
}

int64_t burrow_isal_zlib_compress(uint8_t *state, const uint8_t *in, int64_t in_off, int64_t len, uint8_t *out,
                                  int64_t out_off, int64_t cap) {
    if (len < 0 || cap < 0 || in_off < 0 || out_off < 0 || len > UINT32_MAX || cap > UINT32_MAX) {
        return -1000;
    }
    in += in_off;
    out += out_off;
    struct isal_zstream *s = (struct isal_zstream *) state;
    isal_deflate_stateless_init(s);
    s->level = 1;
    s->level_buf = state + sizeof(struct isal_zstream);
    s->level_buf_size = BURROW_ISAL_LEVEL_BUF;
    s->gzip_flag = IGZIP_ZLIB;
    s->end_of_stream = 1;
    s->flush = NO_FLUSH;
    s->next_in = (uint8_t *) in;
    s->avail_in = (uint32_t) len;
    s->next_out = out;
    s->avail_out = (uint32_t) cap;
    int r = isal_deflate_stateless(s);
    if (r == STATELESS_OVERFLOW) {
        return 0;
    }
    if (r != COMP_OK) {
        return r;
    }
    if (s->avail_in != 0) {
        return -1001;
    }
    return (int64_t) (cap - s->avail_out);
}
