package dev.burrow.core.store;

import java.util.Arrays;

/**
 * The objects written to the current pack: their ids, offsets and CRCs in insertion order, plus an
 * open-addressing hash index over the ids. Everything is in a few primitive arrays, so an object costs
 * 32 bytes and no Java object.
 */
final class ObjectIdTable {
    private byte[] ids = new byte[1024 * ObjectId.LENGTH];
    private long[] offsets = new long[1024];
    private int[] crcs = new int[1024];
    private int size;
    private int[] slots = newSlots(2048);

    private static int[] newSlots(int n) {
        int[] s = new int[n];
        Arrays.fill(s, -1);
        return s;
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
        Arrays.fill(slots, -1);
    }

    boolean contains(byte[] id, int off) {
        return find(id, off) >= 0;
    }

    private int find(byte[] id, int off) {
        int mask = slots.length - 1;
        for (int i = hash(id, off) & mask; ; i = (i + 1) & mask) {
            int e = slots[i];
            if (e < 0) {
                return -1;
            }
            if (Arrays.equals(ids, e * ObjectId.LENGTH, e * ObjectId.LENGTH + ObjectId.LENGTH,
                    id, off, off + ObjectId.LENGTH)) {
                return e;
            }
        }
    }

    /** Adds an id that is not yet present. */
    void add(byte[] id, int off, long offset, int crc) {
        if (size == offsets.length) {
            int n = size * 2;
            ids = Arrays.copyOf(ids, n * ObjectId.LENGTH);
            offsets = Arrays.copyOf(offsets, n);
            crcs = Arrays.copyOf(crcs, n);
        }
        System.arraycopy(id, off, ids, size * ObjectId.LENGTH, ObjectId.LENGTH);
        offsets[size] = offset;
        crcs[size] = crc;
        if ((size + 1) * 2 > slots.length) {
            rehash(slots.length * 2);
        }
        insertSlot(size);
        size++;
    }

    private void insertSlot(int e) {
        int mask = slots.length - 1;
        int i = hash(ids, e * ObjectId.LENGTH) & mask;
        while (slots[i] >= 0) {
            i = (i + 1) & mask;
        }
        slots[i] = e;
    }

    private void rehash(int n) {
        slots = newSlots(n);
        for (int e = 0; e < size; e++) {
            insertSlot(e);
        }
    }

    private static int hash(byte[] id, int off) {
        // SHA-1 output is uniform: four of its bytes are a good hash.
        return (id[off + 4] & 0xff) << 24 | (id[off + 5] & 0xff) << 16 | (id[off + 6] & 0xff) << 8 | (id[off + 7] & 0xff);
    }

    byte[] idsArray() {
        return ids;
    }

    long offset(int e) {
        return offsets[e];
    }

    int crc(int e) {
        return crcs[e];
    }

    void setCrc(int e, int crc) {
        crcs[e] = crc;
    }

    /** Entry numbers sorted by id, as an idx file lists them. */
    int[] sortedById() {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        sort(order, 0, size - 1);
        return order;
    }

    private int compare(int a, int b) {
        return Arrays.compareUnsigned(ids, a * ObjectId.LENGTH, a * ObjectId.LENGTH + ObjectId.LENGTH,
                ids, b * ObjectId.LENGTH, b * ObjectId.LENGTH + ObjectId.LENGTH);
    }

    // Quicksort on entry numbers; ids are random, so a middle pivot is as good as any.
    private void sort(int[] a, int lo, int hi) {
        while (lo < hi) {
            int pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (compare(a[i], pivot) < 0) {
                    i++;
                }
                while (compare(a[j], pivot) > 0) {
                    j--;
                }
                if (i <= j) {
                    int t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (j - lo < hi - i) {
                sort(a, lo, j);
                lo = i;
            } else {
                sort(a, i, hi);
                hi = j;
            }
        }
    }
}
