package dev.burrow.core.split;

/**
 * bup's rolling checksum (lib/bup/bupsplit.c), one byte at a time. The splitter uses the faster
 * {@link JavaChunker}; this class is the readable reference the tests check it against.
 *
 * <p>All arithmetic is unsigned 32-bit, which Java's wrapping {@code int} reproduces exactly.
 */
public final class Rollsum {
    static final int WINDOW = 64;
    /** Added to every byte so that runs of zeros still move the sums (bup's ROLLSUM_CHAR_OFFSET). */
    static final int CHAR_OFFSET = 31;
    static final int BLOB_BITS = 13;
    static final int BLOB_MASK = (1 << BLOB_BITS) - 1;
    static final int FANOUT_BITS = 4;
    static final int S1_INIT = WINDOW * CHAR_OFFSET;
    static final int S2_INIT = WINDOW * (WINDOW - 1) * CHAR_OFFSET;

    private final byte[] window = new byte[WINDOW];
    private int s1 = S1_INIT;
    private int s2 = S2_INIT;
    private int pos;

    public void roll(byte b) {
        int c = b & 0xff;
        int d = window[pos] & 0xff;
        s1 += c - d;
        s2 += s1 - WINDOW * (d + CHAR_OFFSET);
        window[pos] = b;
        pos = (pos + 1) & (WINDOW - 1);
    }

    public int digest() {
        return s1 << 16 | (s2 & 0xffff);
    }

    /** True when a chunk ends after the byte just rolled. */
    public boolean atBoundary() {
        return (s2 & BLOB_MASK) == BLOB_MASK;
    }

    /** bup's fanout level of a boundary digest. */
    public static int level(int digest) {
        // bup skips digest bit 13 (a historical quirk) and counts the one bits from bit 14 up.
        int ones = Integer.numberOfTrailingZeros(~(digest >>> (BLOB_BITS + 1)));
        return ones / FANOUT_BITS;
    }
}
