package dev.burrow.core.store;

/**
 * A bloom filter over the objects of the packs this process wrote, of one fixed size (1 MiB). Without it, a save
 * looks each new chunk up in the idx of every pack it finished so far; those lookups touch the mapped idx pages
 * at random, so the save's resident memory grew by about 1 MiB per pack. With it, a lookup of a new object
 * (most of a first save's) ends here, and only objects the filter may hold are searched in those idx files.
 *
 * <p>Four bit positions per id, taken from the id itself (SHA-1 output is uniform): false positives stay below
 * 0.001% up to 150,000 objects and below 1% up to a million, after which lookups simply search more often.
 *
 * <p>Thread safety: one thread adds (under {@link KnownObjects}' lock) while any number read. Bits are only ever
 * set, in {@code int}s (no torn writes); an id's bits are set before its pack is published to readers through a
 * volatile write, so every reader that can find the pack also sees its bits.
 */
final class SessionFilter {
    private static final int BITS_LOG2 = 23;
    private static final int MASK = (1 << BITS_LOG2) - 1;

    private final int[] words = new int[1 << (BITS_LOG2 - 5)];

    /** Adds the first {@code count} ids of {@code ids}, 20 bytes each. */
    void addAll(byte[] ids, int count) {
        for (int i = 0; i < count; i++) {
            int off = i * ObjectId.LENGTH;
            for (int k = 0; k < 4; k++) {
                int bit = position(ids, off, k);
                words[bit >>> 5] |= 1 << bit;
            }
        }
    }

    /** False when no pack of this process holds the object; true when one may. */
    boolean mayContain(byte[] id, int off) {
        for (int k = 0; k < 4; k++) {
            int bit = position(id, off, k);
            if ((words[bit >>> 5] & (1 << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    private static int position(byte[] id, int off, int k) {
        int at = off + 4 * k;
        int v = (id[at] & 0xff) << 24 | (id[at + 1] & 0xff) << 16 | (id[at + 2] & 0xff) << 8 | (id[at + 3] & 0xff);
        return v & MASK;
    }
}
