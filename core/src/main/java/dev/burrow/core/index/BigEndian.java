package dev.burrow.core.index;

/**
 * Big-endian stores into a heap array, for the index's and journal's record encoders. They build each record's
 * fixed part in a small array and copy it into the off-heap buffer at once: a memory-segment store per field made
 * C1 inline a var-handle chain for each, and compiling an encoder took 5-8 MiB of compiler arena, which HotSpot's
 * chunk pool keeps for up to 5 seconds, a visible share of a short save's peak RSS.
 */
final class BigEndian {
    private BigEndian() { }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void putLong(byte[] b, int at, long v) {
        putInt(b, at, (int) (v >>> 32));
        putInt(b, at + 4, (int) v);
    }
}
