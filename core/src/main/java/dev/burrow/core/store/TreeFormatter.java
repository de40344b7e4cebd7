package dev.burrow.core.store;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Collects the entries of one git tree and serialises them in git's order: names compared as unsigned
 * bytes, with a tree's name compared as though it ended in {@code /}.
 *
 * <p>Used for directory trees, whose entry count is that of one directory. Chunk trees, which are written
 * once per 256 chunks, use a primitive path instead.
 */
public final class TreeFormatter {
    private record Entry(int mode, byte[] name, ObjectId id) { }

    private static final Comparator<Entry> GIT_ORDER = (a, b) -> compareNames(a.name, a.mode == Tree.MODE_TREE,
            b.name, b.mode == Tree.MODE_TREE);

    private final List<Entry> entries = new ArrayList<>();

    /** Adds an entry; {@code name} is copied. */
    public void add(int mode, byte[] name, ObjectId id) {
        if (name.length == 0) {
            throw new IllegalArgumentException("empty tree entry name");
        }
        entries.add(new Entry(mode, name.clone(), id));
    }

    public int size() {
        return entries.size();
    }

    /** The tree object's content. */
    public byte[] format() {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(GIT_ORDER);
        ByteArrayOutputStream out = new ByteArrayOutputStream(sorted.size() * 48);
        byte[] id = new byte[ObjectId.LENGTH];
        for (Entry e : sorted) {
            byte[] mode = Integer.toOctalString(e.mode).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            out.writeBytes(mode);
            out.write(' ');
            out.writeBytes(e.name);
            out.write(0);
            e.id.copyTo(id, 0);
            out.writeBytes(id);
        }
        return out.toByteArray();
    }

    /** git's tree entry order. */
    public static int compareNames(byte[] a, boolean aIsTree, byte[] b, boolean bIsTree) {
        int n = Math.min(a.length, b.length);
        int c = Arrays.compareUnsigned(a, 0, n, b, 0, n);
        if (c != 0) {
            return c;
        }
        int ca = a.length > n ? a[n] & 0xff : (aIsTree ? '/' : 0);
        int cb = b.length > n ? b[n] & 0xff : (bIsTree ? '/' : 0);
        return Integer.compare(ca, cb);
    }
}
