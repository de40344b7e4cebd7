package dev.burrow.core.check;

import dev.burrow.core.store.ObjectId;

/**
 * A set of object ids in one open-addressed {@code int[]}, five words per slot: about 40 bytes per id at
 * the maximum load of one half, against well over 100 for a {@code HashSet<ObjectId>}. Not thread safe.
 */
final class ObjectIdSet {
    private static final int WORDS = ObjectId.LENGTH / 4;

    private final byte[] scratch = new byte[ObjectId.LENGTH];
    private int[] table;
    private boolean[] used;
    private int mask;
    private int size;

    ObjectIdSet() {
        allocate(1024);
    }

    private void allocate(int slots) {
        table = new int[slots * WORDS];
        used = new boolean[slots];
        mask = slots - 1;
    }

    int size() {
        return size;
    }

    /** Adds {@code id}; false if it was already present. */
    boolean add(ObjectId id) {
        id.copyTo(scratch, 0);
        int w0 = word(0);
        int w1 = word(4);
        int w2 = word(8);
        int w3 = word(12);
        int w4 = word(16);
        if (insert(w0, w1, w2, w3, w4)) {
            if (++size * 2 > used.length) {
                grow();
            }
            return true;
        }
        return false;
    }

    private boolean insert(int w0, int w1, int w2, int w3, int w4) {
        // SHA-1 words are uniformly distributed, so the second word serves as the hash.
        int slot = w1 & mask;
        while (used[slot]) {
            int b = slot * WORDS;
            if (table[b] == w0 && table[b + 1] == w1 && table[b + 2] == w2 && table[b + 3] == w3
                    && table[b + 4] == w4) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        used[slot] = true;
        int b = slot * WORDS;
        table[b] = w0;
        table[b + 1] = w1;
        table[b + 2] = w2;
        table[b + 3] = w3;
        table[b + 4] = w4;
        return true;
    }

    private void grow() {
        int[] oldTable = table;
        boolean[] oldUsed = used;
        allocate(oldUsed.length * 2);
        for (int s = 0; s < oldUsed.length; s++) {
            if (oldUsed[s]) {
                int b = s * WORDS;
                insert(oldTable[b], oldTable[b + 1], oldTable[b + 2], oldTable[b + 3], oldTable[b + 4]);
            }
        }
    }

    private int word(int o) {
        return (scratch[o] & 0xff) << 24 | (scratch[o + 1] & 0xff) << 16 | (scratch[o + 2] & 0xff) << 8
                | (scratch[o + 3] & 0xff);
    }
}
