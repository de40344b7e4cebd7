package dev.burrow.core.split;

import dev.burrow.core.spi.Chunker;

/**
 * The pure-Java chunker: bup's rolling checksum without a ring buffer. Once the window is full the
 * byte leaving it is simply {@code buf[i - 64]}; before that it is one of the 64 virtual zeros a fresh
 * checksum starts with.
 */
public final class JavaChunker implements Chunker {
    public static final JavaChunker INSTANCE = new JavaChunker();

    @Override
    public long scan(byte[] buf, int start, int from, int to) {
        if (start < 0 || start > from || from > to || to > buf.length) {
            throw new IndexOutOfBoundsException("scan [" + start + ", " + from + ", " + to + ") of " + buf.length);
        }
        int s1 = Rollsum.S1_INIT;
        int s2 = Rollsum.S2_INIT;
        final int mask = Rollsum.BLOB_MASK;
        int warm = Math.min(from, start + Rollsum.WINDOW);
        int i = start;
        // Bytes fed without testing, window not yet full: the leaving byte is a virtual zero.
        for (; i < warm; i++) {
            s1 += buf[i] & 0xff;
            s2 += s1 - Rollsum.WINDOW * Rollsum.CHAR_OFFSET;
        }
        // Bytes fed without testing, window full.
        for (; i < from; i++) {
            int d = buf[i - Rollsum.WINDOW] & 0xff;
            s1 += (buf[i] & 0xff) - d;
            s2 += s1 - Rollsum.WINDOW * (d + Rollsum.CHAR_OFFSET);
        }
        int full = Math.min(to, start + Rollsum.WINDOW);
        for (; i < full; i++) {
            s1 += buf[i] & 0xff;
            s2 += s1 - Rollsum.WINDOW * Rollsum.CHAR_OFFSET;
            if ((s2 & mask) == mask) {
                return result(s1, s2, i);
            }
        }
        for (; i < to; i++) {
            int d = buf[i - Rollsum.WINDOW] & 0xff;
            s1 += (buf[i] & 0xff) - d;
            s2 += s1 - Rollsum.WINDOW * (d + Rollsum.CHAR_OFFSET);
            if ((s2 & mask) == mask) {
                return result(s1, s2, i);
            }
        }
        return -1;
    }

    private static long result(int s1, int s2, int i) {
        int digest = s1 << 16 | (s2 & 0xffff);
        return (long) Rollsum.level(digest) << 32 | (i + 1);
    }

    @Override
    public String name() {
        return "java";
    }
}
